"""createCustomer: a new customer under a reseller, PENDING_APPROVAL, safe to retry."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.core.errors import UserError, errors_field, user_errors
from graph.organizations.inputs import CreateCustomerInput
from graph.organizations.types import Organization
from resolvers import customers
from resolvers.errors import DomainError


@strawberry.type(description="Result of createCustomer.")
class CreateCustomerPayload:
    customer: Organization | None = strawberry.field(
        default=None,
        description="The new customer (PENDING_APPROVAL; ACTIVE with `approve`); null when errors.",
    )
    replayed: bool = strawberry.field(
        default=False,
        description="True when an earlier call with the same idempotency key made it.",
    )
    errors: list[UserError] = errors_field()


def _input(description: str) -> object:
    return strawberry.argument(description=description)


@strawberry.type
class CreateCustomerMutation:
    @strawberry.mutation(description="Create a customer under a reseller, PENDING_APPROVAL.")
    async def create_customer(
        self,
        info: Info,
        input: Annotated[CreateCustomerInput, strawberry.argument(description="The form.")],
    ) -> CreateCustomerPayload:
        ctx = info.context
        try:
            created = await customers.create_customer(
                actor=ctx.require_actor(permission=None),
                draft=input.to_draft(),
                reseller_id=input.reseller_id,
                idempotency_key=input.idempotency_key,
                currencies=ctx.settings.currencies,
                idempotency_ttl=ctx.settings.idempotency_ttl_seconds,
                verification=ctx.settings,
                request_id=ctx.request_id,
                approve=input.approve,
                four_eyes=ctx.settings.four_eyes,
            )
        except DomainError as error:
            return CreateCustomerPayload(errors=user_errors(error))
        if created.replayed:  # address and contact come from the DataLoaders if selected
            customer = Organization.from_record(created.customer)
        else:  # as written: answering needs no read
            customer = Organization.from_record(
                created.customer, address=created.address, contact=created.contact
            )
        return CreateCustomerPayload(customer=customer, replayed=created.replayed)
