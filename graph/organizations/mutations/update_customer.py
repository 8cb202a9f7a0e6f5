"""updateCustomer: correct a customer's details, refused when the form is stale."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.core.convert import convert
from graph.core.enums import Industry
from graph.core.errors import UserError, errors_field, user_errors
from graph.organizations.inputs import AddressInput, ContactInput
from graph.organizations.types import Organization
from resolvers import customer_updates
from resolvers.errors import DomainError
from resolvers.validation import AddressDraft, ContactDraft, CustomerDraft

_LEAVE = "Leave out (or null) to keep the current value."


@strawberry.input(
    description="Corrections to a customer: only what changes. A nested address or contact "
    "replaces the whole one; the result is checked like the create form."
)
class UpdateCustomerInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the customer.")
    expected_version: int = strawberry.field(
        description="The `version` the form was loaded with; otherwise STALE_VERSION."
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Same key + same input = same result, applied once."
    )
    short_name: str | None = strawberry.field(default=None, description=_LEAVE)
    full_name: str | None = strawberry.field(default=None, description=_LEAVE)
    erp_id: str | None = strawberry.field(default=None, description=_LEAVE)
    registration_number: str | None = strawberry.field(default=None, description=_LEAVE)
    tax_id: str | None = strawberry.field(default=None, description=_LEAVE)
    currency: str | None = strawberry.field(default=None, description=_LEAVE)
    industry: Industry | None = strawberry.field(default=None, description=_LEAVE)
    primary_address: AddressInput | None = strawberry.field(
        default=None, description="The whole new address. " + _LEAVE
    )
    primary_contact: ContactInput | None = strawberry.field(
        default=None, description="The whole new contact. " + _LEAVE
    )

    def to_patch(self) -> CustomerDraft:
        return CustomerDraft(
            short_name=self.short_name,
            full_name=self.full_name,
            erp_id=self.erp_id,
            registration_number=self.registration_number,
            tax_id=self.tax_id,
            currency=self.currency,
            industry=self.industry.value if self.industry else None,
            primary_address=convert(self.primary_address, AddressDraft)
            if self.primary_address
            else None,
            primary_contact=convert(self.primary_contact, ContactDraft)
            if self.primary_contact
            else None,
        )


@strawberry.type(description="Result of updateCustomer.")
class UpdateCustomerPayload:
    customer: Organization | None = strawberry.field(
        default=None, description="The customer as it is now; null when errors."
    )
    replayed: bool = strawberry.field(
        default=False,
        description="True when an earlier call with the same idempotency key made the change.",
    )
    errors: list[UserError] = errors_field()


@strawberry.type
class UpdateCustomerMutation:
    @strawberry.mutation(
        description="Correct a customer (not ARCHIVED): only what changes, from the version "
        "the form was loaded with. Nothing changed: nothing written."
    )
    async def update_customer(
        self,
        info: Info,
        input: Annotated[UpdateCustomerInput, strawberry.argument(description="The changes.")],
    ) -> UpdateCustomerPayload:
        ctx = info.context
        try:
            updated = await customer_updates.update_customer(
                actor=ctx.require_actor(permission=None),
                id=input.id,
                expected_version=input.expected_version,
                patch=input.to_patch(),
                currencies=ctx.settings.currencies,
                idempotency_key=input.idempotency_key,
                idempotency_ttl=ctx.settings.idempotency_ttl_seconds,
                request_id=ctx.request_id,
                verification=ctx.settings,
            )
        except DomainError as error:
            return UpdateCustomerPayload(errors=user_errors(error))
        customer = Organization.from_record(updated.customer)
        if not updated.replayed:
            customer = Organization.from_record(
                updated.customer, address=updated.address, contact=updated.contact
            )
        return UpdateCustomerPayload(customer=customer, replayed=updated.replayed)
