"""Connections (`edges`, `nodes`, `pageInfo`, `totalCount`) for organizations and history.

`totalCount` and `countsByStatus` are resolvers, so their queries run only when selected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

import strawberry

from graph.context import Info
from graph.enums import OrganizationStatus
from graph.paging import cursor, position
from graph.types import UNLOADED, Organization, StatusChange
from resolvers import organizations
from resolvers.listing import Filter
from resolvers.records import (
    AddressRecord,
    ContactRecord,
    OrganizationRecord,
    StatusChangeRecord,
)


@strawberry.type(description="Where a page sits in the whole list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More rows after this page.")
    has_previous_page: bool = strawberry.field(description="Rows before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first row.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last row.")


def page_info(offset: int, count: int, has_next: bool) -> PageInfo:
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=offset > 0,
        start_cursor=cursor(offset) if count else None,
        end_cursor=cursor(offset + count - 1) if count else None,
    )


@strawberry.type(description="An organization in a list, with its cursor.")
class OrganizationEdge:
    cursor: str = strawberry.field(description="Pass as `after`/`before` to page from here.")
    node: Organization = strawberry.field(description="The organization.")


@strawberry.type(description="How many organizations match per status (for status tabs).")
class StatusCount:
    status: OrganizationStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="Matching organizations in that status.")


@strawberry.type(description="A page of organizations.")
class OrganizationConnection:
    edges: list[OrganizationEdge] = strawberry.field(description="Rows with cursors.")
    nodes: list[Organization] = strawberry.field(description="Rows without cursors.")
    page_info: PageInfo = strawberry.field(description="Paging state.")
    filter: strawberry.Private[Filter | None]
    counts_filter: strawberry.Private[Filter | None]

    @strawberry.field(description="All matching organizations, over every page.")
    async def total_count(self, info: Info) -> int:
        actor = info.context.require_actor()
        return await organizations.count_organizations(actor=actor, filter=self.filter)

    @strawberry.field(
        description="Matches per status, ignoring a top-level `status` filter, for status tabs."
    )
    async def counts_by_status(self, info: Info) -> list[StatusCount]:
        actor = info.context.require_actor()
        counts = await organizations.count_by_status(actor=actor, filter=self.counts_filter)
        return [StatusCount(status=s, count=n) for s, n in counts.items()]

    @classmethod
    def build(
        cls,
        records: Sequence[OrganizationRecord],
        *,
        offset: int,
        has_next: bool,
        filter: Filter | None,
        counts_filter: Filter | None,
        addresses: Mapping[UUID, AddressRecord | None] | None = None,
        contacts: Mapping[UUID, ContactRecord | None] | None = None,
    ) -> OrganizationConnection:
        """`addresses`/`contacts`: what the page's query fetched along (None: not fetched)."""
        nodes = [
            Organization.from_record(
                r,
                address=UNLOADED if addresses is None else addresses.get(r.id),
                contact=UNLOADED if contacts is None else contacts.get(r.id),
            )
            for r in records
        ]
        edges = [OrganizationEdge(cursor=cursor(offset + i), node=n) for i, n in enumerate(nodes)]
        return cls(
            edges=edges,
            nodes=nodes,
            page_info=page_info(offset, len(nodes), has_next),
            filter=filter,
            counts_filter=counts_filter,
        )


@strawberry.type(description="A status change in a list, with its cursor.")
class StatusChangeEdge:
    cursor: str = strawberry.field(description="Pass as `after` to page from here.")
    node: StatusChange = strawberry.field(description="The status change.")


@strawberry.type(description="A page of status changes, oldest first.")
class StatusChangeConnection:
    edges: list[StatusChangeEdge] = strawberry.field(description="Rows with cursors.")
    nodes: list[StatusChange] = strawberry.field(description="Rows without cursors.")
    page_info: PageInfo = strawberry.field(description="Paging state.")
    total_count: int = strawberry.field(description="All entries, over every page.")


def history_page(
    changes: Sequence[StatusChangeRecord],
    *,
    first: int | None,
    after: str | None,
) -> StatusChangeConnection:
    # An organization has a handful of entries, loaded at once by a DataLoader; page in memory.
    start = position(after) + 1 if after else 0
    size = len(changes) if first is None else max(0, first)
    chosen = changes[start : start + size]
    nodes = [StatusChange.from_record(c) for c in chosen]
    return StatusChangeConnection(
        edges=[StatusChangeEdge(cursor=cursor(start + i), node=n) for i, n in enumerate(nodes)],
        nodes=nodes,
        page_info=page_info(start, len(nodes), start + len(nodes) < len(changes)),
        total_count=len(changes),
    )
