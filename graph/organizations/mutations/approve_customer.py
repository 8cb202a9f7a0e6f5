"""approveCustomer: a PENDING_APPROVAL customer becomes ACTIVE."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.core.errors import user_errors
from graph.organizations.mutations.base import CustomerPayload, customer_payload
from graph.organizations.types import Organization
from resolvers import transitions
from resolvers.errors import DomainError

ApproveCustomerPayload = customer_payload("approveCustomer", status="ACTIVE")


@strawberry.input(description="Approve a customer that waits for approval.")
class ApproveCustomerInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the customer.")
    comment: str | None = strawberry.field(default=None, description="Optional note.")


@strawberry.type
class ApproveCustomerMutation:
    @strawberry.mutation(
        description="Approve a PENDING_APPROVAL customer: it becomes ACTIVE.",
        graphql_type=ApproveCustomerPayload,
    )
    async def approve_customer(
        self,
        info: Info,
        input: Annotated[ApproveCustomerInput, strawberry.argument(description="Which and why.")],
    ) -> CustomerPayload:
        ctx = info.context
        try:
            record = await transitions.approve_customer(
                actor=ctx.require_actor(permission=None),
                id=input.id,
                comment=input.comment,
                four_eyes=ctx.settings.four_eyes,
                requires_verified_tax_id=ctx.settings.approval_requires_verified_tax_id
                and ctx.settings.tax_id_verification,
                request_id=ctx.request_id,
            )
        except DomainError as error:
            return ApproveCustomerPayload(errors=user_errors(error))
        return ApproveCustomerPayload(customer=Organization.from_record(record))
