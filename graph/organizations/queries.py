"""Organization reads: the viewer, one organization, the list, and the createCustomer dry run.

Each field authenticates, calls a resolver and converts the result; `graph/schema.py` puts
these classes into the Query root."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.arguments import arg
from graph.core.context import Info
from graph.core.paging import window
from graph.core.selection import item_fields
from graph.organizations.connections import OrganizationConnection
from graph.organizations.filters import (
    OffsetPaging,
    OrganizationFilter,
    OrganizationSort,
    to_filter,
    to_sorting,
)
from graph.organizations.inputs import CreateCustomerInput
from graph.organizations.types import Organization, load_organization
from graph.organizations.validation import CustomerValidation
from graph.organizations.viewer import Viewer
from resolvers import customer_checks, global_id, organizations
from resolvers.errors import DomainError
from resolvers.listing import Window


@strawberry.type
class ViewerQueries:
    @strawberry.field(description="The signed-in person; null without a token.")
    def viewer(self, info: Info) -> Viewer | None:
        if info.context.actor is None and info.context.auth_error is None:
            return None
        # Who you are needs no permission; everything else asks for READ at least.
        actor = info.context.require_actor(permission=None)
        return Viewer(
            subject=actor.subject,
            roles=sorted(actor.roles),
            permissions=sorted(actor.permissions),
            organization_id=actor.org_id,
            token_organization_id=actor.home_org_id,
        )


@strawberry.type
class OrganizationQueries:
    @strawberry.field(
        description="One organization; null when missing or not visible (own, descendants, "
        "ancestors are visible)."
    )
    async def organization(
        self, info: Info, id: Annotated[strawberry.ID, arg("Global ID of the organization.")]
    ) -> Organization | None:
        info.context.require_actor()
        uuid = global_id.decode_uuid(id, "Organization")
        return await load_organization(info, uuid) if uuid else None

    @strawberry.field(description="Organizations you may see: filtered, searched, sorted, paged.")
    async def organizations(
        self,
        info: Info,
        filter: Annotated[OrganizationFilter | None, arg("Conditions to match.")] = None,
        sorting: Annotated[
            list[OrganizationSort] | None, arg("Sort keys; creation order breaks ties.")
        ] = None,
        first: Annotated[int | None, arg("Relay: rows after `after` (max 100).")] = None,
        after: Annotated[str | None, arg("Relay: cursor to start after.")] = None,
        last: Annotated[int | None, arg("Relay: rows before `before` (max 100).")] = None,
        before: Annotated[str | None, arg("Relay: cursor to end before.")] = None,
        paging: Annotated[OffsetPaging | None, arg("Offset paging for admin grids.")] = None,
    ) -> OrganizationConnection:
        actor = info.context.require_actor()
        domain_filter = to_filter(filter)
        bounds = await window(
            first=first,
            after=after,
            last=last,
            before=before,
            limit=paging.limit if paging else None,
            offset=paging.offset if paging else None,
            max_size=info.context.settings.max_page_size,
            total=lambda: organizations.count_organizations(actor=actor, filter=domain_filter),
        )
        selected = item_fields(info)
        listing = await organizations.list_organizations(
            actor=actor,
            filter=domain_filter,
            sorting=to_sorting(sorting),
            window=Window(bounds.offset, bounds.limit + 1),
            with_address="primaryAddress" in selected,
            with_contact="primaryContact" in selected,
        )
        records = listing.organizations
        page = records[: bounds.limit]
        info.context.loaders.prime_organizations(page)
        return OrganizationConnection.build(
            page,
            offset=bounds.offset,
            has_next=len(records) > bounds.limit,
            filter=domain_filter,
            counts_filter=to_filter(filter, drop_status=True),
            addresses=listing.addresses,
            contacts=listing.contacts,
        )

    @strawberry.field(
        description="Dry run of createCustomer: every problem and the normalized form."
    )
    async def validate_customer(
        self, info: Info, input: Annotated[CreateCustomerInput, arg("The form to check.")]
    ) -> CustomerValidation:
        actor = info.context.require_actor()
        try:
            checked = await customer_checks.check_customer(
                actor=actor,
                draft=input.to_draft(),
                reseller_id=input.reseller_id,
                currencies=info.context.settings.currencies,
            )
        except DomainError as error:
            return CustomerValidation.refused(error)
        return CustomerValidation.build(checked.normalized, checked.errors)
