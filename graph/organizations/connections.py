"""The organization list's connection (`edges`, `nodes`, `pageInfo`, `totalCount`).

The history connection lives with the types (`Organization.history` returns it, and its
entries point back at organizations), so the two modules import one way only.

`totalCount` and `countsByStatus` are resolvers, so their queries run only when selected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

import strawberry

from graph.core.context import Info
from graph.core.enums import OrganizationStatus
from graph.core.paging import Connection, Edge
from graph.organizations.types import UNLOADED, Organization
from resolvers import organizations
from resolvers.actors import Actor
from resolvers.listing import Filter
from resolvers.records import (
    AddressRecord,
    ContactRecord,
    OrganizationRecord,
)


@strawberry.type(description="An organization in a list, with its cursor.")
class OrganizationEdge(Edge[Organization]):
    cursor: str = strawberry.field(description="Pass as `after`/`before` to page from here.")
    node: Organization = strawberry.field(description="The organization.")


@strawberry.type(description="How many organizations match per status (for status tabs).")
class StatusCount:
    status: OrganizationStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="Matching organizations in that status.")


@strawberry.type(description="A page of organizations.")
class OrganizationConnection(Connection[OrganizationEdge, Organization]):
    filter: strawberry.Private[Filter | None]
    counts_filter: strawberry.Private[Filter | None]
    # Whose visibility counts use (the switcher lists the person's, not the acting one's).
    scope: strawberry.Private[Actor | None] = None

    def _actor(self, info: Info) -> Actor:
        actor = info.context.require_actor()
        return self.scope or actor

    @strawberry.field(description="All matching organizations, over every page.")
    async def total_count(self, info: Info) -> int:
        return await organizations.count_organizations(actor=self._actor(info), filter=self.filter)

    @strawberry.field(
        description="Matches per status, ignoring a top-level `status` filter, for status tabs."
    )
    async def counts_by_status(self, info: Info) -> list[StatusCount]:
        counts = await organizations.count_by_status(
            actor=self._actor(info),
            filter=self.counts_filter,
            archived=organizations.names_archived(self.filter),
        )
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
        scope: Actor | None = None,
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
        return cls.page(
            nodes,
            offset=offset,
            has_next=has_next,
            filter=filter,
            counts_filter=counts_filter,
            scope=scope,
        )
