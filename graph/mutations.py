"""The Mutation root and its payloads: one `input`, a payload that always carries `errors`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.context import Info
from graph.errors import UserError, user_errors
from graph.inputs import ApproveCustomerInput, CreateCustomerInput, RejectCustomerInput
from graph.types import Organization
from resolvers import customers, transitions
from resolvers.errors import DomainError


@strawberry.type(description="Result of createCustomer.")
class CreateCustomerPayload:
    customer: Organization | None = strawberry.field(
        default=None, description="The new customer (PENDING_APPROVAL); null when errors."
    )
    replayed: bool = strawberry.field(
        default=False,
        description="True when an earlier call with the same idempotency key made it.",
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Every problem; when non-empty nothing was written."
    )


@strawberry.type(description="Result of approveCustomer.")
class ApproveCustomerPayload:
    customer: Organization | None = strawberry.field(
        default=None, description="The customer, now ACTIVE; null when errors."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Every problem; when non-empty nothing was written."
    )


@strawberry.type(description="Result of rejectCustomer.")
class RejectCustomerPayload:
    customer: Organization | None = strawberry.field(
        default=None, description="The customer, now REJECTED; null when errors."
    )
    errors: list[UserError] = strawberry.field(
        default_factory=list, description="Every problem; when non-empty nothing was written."
    )


def _input(description: str) -> object:
    return strawberry.argument(description=description)


@strawberry.type(description="Writes.")
class Mutation:
    # Each resolver checks its own permission and answers FORBIDDEN in the payload, so a
    # caller lacking a role gets the same shape whichever role it lacks (hence permission=None).
    @strawberry.mutation(description="Create a customer under a reseller, PENDING_APPROVAL.")
    async def create_customer(
        self, info: Info, input: Annotated[CreateCustomerInput, _input("The form.")]
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
                request_id=ctx.request_id,
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

    @strawberry.mutation(description="Approve a PENDING_APPROVAL customer: it becomes ACTIVE.")
    async def approve_customer(
        self, info: Info, input: Annotated[ApproveCustomerInput, _input("Which and why.")]
    ) -> ApproveCustomerPayload:
        ctx = info.context
        try:
            record = await transitions.approve_customer(
                actor=ctx.require_actor(permission=None),
                id=input.id,
                comment=input.comment,
                four_eyes=ctx.settings.four_eyes,
                request_id=ctx.request_id,
            )
        except DomainError as error:
            return ApproveCustomerPayload(errors=user_errors(error))
        return ApproveCustomerPayload(customer=Organization.from_record(record))

    @strawberry.mutation(description="Reject a PENDING_APPROVAL customer, with a reason.")
    async def reject_customer(
        self, info: Info, input: Annotated[RejectCustomerInput, _input("Which and why.")]
    ) -> RejectCustomerPayload:
        ctx = info.context
        try:
            record = await transitions.reject_customer(
                actor=ctx.require_actor(permission=None),
                id=input.id,
                reason=input.reason,
                request_id=ctx.request_id,
            )
        except DomainError as error:
            return RejectCustomerPayload(errors=user_errors(error))
        return RejectCustomerPayload(customer=Organization.from_record(record))
