"""The Query root: each field authenticates, calls a resolver and converts the result."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry

from graph.connections import OrganizationConnection
from graph.context import Info
from graph.errors import BadUserInput
from graph.filters import OffsetPaging, OrganizationFilter, OrganizationSort, to_filter, to_sorting
from graph.inputs import CreateCustomerInput
from graph.paging import window
from graph.selection import item_fields
from graph.types import Country, Currency, Node, Organization, StatusChange, Subdivision, Viewer
from graph.validation import CustomerValidation
from resolvers import customer_checks, global_id, organizations
from resolvers.errors import DomainError
from resolvers.listing import Window
from resolvers.validation import country_catalog, currency_catalog


async def _node(info: Info, id: str) -> Node | None:
    loaders = info.context.loaders
    decoded = global_id.decode(id)
    if decoded is None:
        return None
    type_name, uuid = decoded
    if type_name == "Organization":
        org = await loaders.organization.load(uuid)
        return Organization.from_record(org) if org else None
    if type_name == "StatusChange":
        change = await loaders.status_change.load(uuid)
        return StatusChange.from_record(change) if change else None
    return None


def _arg(description: str) -> object:
    return strawberry.argument(description=description)


@strawberry.type(description="Reads.")
class Query:
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
        )

    @strawberry.field(description="Any object by global ID; null when missing or not visible.")
    async def node(
        self, info: Info, id: Annotated[strawberry.ID, _arg("A global ID.")]
    ) -> Node | None:
        info.context.require_actor()
        return await _node(info, id)

    @strawberry.field(description="Objects by global ID, in order; null where missing.")
    async def nodes(
        self, info: Info, ids: Annotated[list[strawberry.ID], _arg("Global IDs.")]
    ) -> list[Node | None]:
        info.context.require_actor()
        # Gathered, so the DataLoaders batch every ID into one query per type.
        limit = info.context.settings.max_page_size
        if len(ids) > limit:
            # Clients line answers up with IDs by position, so never answer fewer.
            raise BadUserInput(f"Ask for at most {limit} IDs at once (PORTAL_MAX_PAGE_SIZE).")
        return list(await asyncio.gather(*(_node(info, id) for id in ids)))

    @strawberry.field(
        description="One organization; null when missing or not visible (own, descendants, "
        "ancestors are visible)."
    )
    async def organization(
        self, info: Info, id: Annotated[strawberry.ID, _arg("Global ID of the organization.")]
    ) -> Organization | None:
        info.context.require_actor()
        uuid = global_id.decode_uuid(id, "Organization")
        record = await info.context.loaders.organization.load(uuid) if uuid else None
        return Organization.from_record(record) if record else None

    @strawberry.field(description="Organizations you may see: filtered, searched, sorted, paged.")
    async def organizations(
        self,
        info: Info,
        filter: Annotated[OrganizationFilter | None, _arg("Conditions to match.")] = None,
        sorting: Annotated[
            list[OrganizationSort] | None, _arg("Sort keys; creation order breaks ties.")
        ] = None,
        first: Annotated[int | None, _arg("Relay: rows after `after` (max 100).")] = None,
        after: Annotated[str | None, _arg("Relay: cursor to start after.")] = None,
        last: Annotated[int | None, _arg("Relay: rows before `before` (max 100).")] = None,
        before: Annotated[str | None, _arg("Relay: cursor to end before.")] = None,
        paging: Annotated[OffsetPaging | None, _arg("Offset paging for admin grids.")] = None,
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
        self, info: Info, input: Annotated[CreateCustomerInput, _arg("The form to check.")]
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

    @strawberry.field(description="Every country with what its addresses require.")
    def countries(self, info: Info) -> list[Country]:
        info.context.require_actor()
        return [
            Country(
                code=c.code,
                name=c.name,
                required_fields=list(c.required_fields),
                postal_code_example=c.postal_code_example,
                postal_code_required=c.postal_code_required,
                subdivisions=[Subdivision(code=s.code, name=s.name) for s in c.subdivisions],
            )
            for c in country_catalog()
        ]

    @strawberry.field(description="The billing currencies the platform supports.")
    def currencies(self, info: Info) -> list[Currency]:
        info.context.require_actor()
        return [
            Currency(code=c.code, name=c.name)
            for c in currency_catalog(info.context.settings.currencies)
        ]
