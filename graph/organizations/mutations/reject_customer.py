"""rejectCustomer: a PENDING_APPROVAL customer becomes REJECTED, with a reason."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.core.errors import user_errors
from graph.organizations.mutations.base import CustomerPayload, customer_payload
from graph.organizations.types import Organization
from resolvers import transitions
from resolvers.errors import DomainError

RejectCustomerPayload = customer_payload("rejectCustomer", status="REJECTED")


@strawberry.input(description="Reject a customer that waits for approval.")
class RejectCustomerInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the customer.")
    reason: str = strawberry.field(description="Why it is rejected; required.")


@strawberry.type
class RejectCustomerMutation:
    @strawberry.mutation(
        description="Reject a PENDING_APPROVAL customer, with a reason.",
        graphql_type=RejectCustomerPayload,
    )
    async def reject_customer(
        self,
        info: Info,
        input: Annotated[RejectCustomerInput, strawberry.argument(description="Which and why.")],
    ) -> CustomerPayload:
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
