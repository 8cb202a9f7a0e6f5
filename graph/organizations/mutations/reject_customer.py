"""rejectCustomer: a PENDING_APPROVAL customer becomes REJECTED, with a reason."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.organizations.mutations.base import CustomerPayload, change_status, customer_payload

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
        return await change_status(
            info, "reject", id=input.id, note=input.reason, payload=RejectCustomerPayload
        )
