"""The signed-in person: who, with which roles, acting in which organization, and the
organizations the "select organization" control may switch into (`X-Organization-ID`)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import strawberry

from graph.core.arguments import arg
from graph.core.context import Info
from graph.core.enums import OrganizationKind, Permission, Role
from graph.core.paging import forward_window
from graph.organizations.connections import OrganizationConnection
from graph.organizations.types import Organization, load_organization
from resolvers import organizations
from resolvers.listing import Sort, Window


@strawberry.type(description="The signed-in person.")
class Viewer:
    subject: str = strawberry.field(description="Token subject (`sub` claim).")
    roles: list[Role] = strawberry.field(description="Roles in the current organization.")
    permissions: list[Permission] = strawberry.field(description="What those roles allow here.")
    organization_id: strawberry.Private[UUID]
    token_organization_id: strawberry.Private[UUID]

    @strawberry.field(
        description="The organization the person acts in: the token's, or the one "
        "`X-Organization-ID` selects."
    )
    async def organization(self, info: Info) -> Organization | None:
        info.context.require_actor()
        return await load_organization(info, self.organization_id)

    @strawberry.field(description="The token's own organization.")
    async def token_organization(self, info: Info) -> Organization | None:
        info.context.require_actor()
        person = info.context.person
        assert person is not None  # require_actor() passed
        found = await organizations.get_organization(actor=person, id=self.token_organization_id)
        return Organization.from_record(found) if found else None

    @strawberry.field(
        description="What the person may switch into (send its ID as `X-Organization-ID`): the "
        "token's organization and its descendants, never ancestors or archived customers; "
        "sorted by short name."
    )
    async def organizations(
        self,
        info: Info,
        search: Annotated[str | None, arg("Free text over names and numbers.")] = None,
        kind: Annotated[OrganizationKind | None, arg("Only this kind.")] = None,
        first: Annotated[int | None, arg("Rows after `after` (max 100).")] = None,
        after: Annotated[str | None, arg("Cursor to start after.")] = None,
    ) -> OrganizationConnection:
        info.context.require_actor()
        person = info.context.person
        assert person is not None  # require_actor() passed
        chosen = organizations.switchable(person, search=search, kind=kind)
        max_size = info.context.settings.max_page_size
        bounds = await forward_window(first=first, after=after, max_size=max_size)
        listing = await organizations.list_organizations(
            actor=person,
            filter=chosen,
            sorting=[Sort("short_name")],
            window=Window(bounds.offset, bounds.limit + 1),
        )
        records = listing.organizations
        return OrganizationConnection.build(
            records[: bounds.limit],
            offset=bounds.offset,
            has_next=len(records) > bounds.limit,
            filter=chosen,
            counts_filter=chosen,
            scope=person,
        )
