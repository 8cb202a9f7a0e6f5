"""suspendCustomer: an ACTIVE customer becomes SUSPENDED (e.g. unpaid invoices): its licenses
keep running, nothing new is bought."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.organizations.mutations.base import CustomerPayload, change_status, customer_payload

SuspendCustomerPayload = customer_payload("suspendCustomer", status="SUSPENDED")


@strawberry.input(description="Suspend an ACTIVE customer, with a reason.")
class SuspendCustomerInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the customer.")
    reason: str = strawberry.field(description="Why, e.g. unpaid invoices; required.")


@strawberry.type
class SuspendCustomerMutation:
    @strawberry.mutation(
        description="Suspend an ACTIVE customer, with a reason.",
        graphql_type=SuspendCustomerPayload,
    )
    async def suspend_customer(
        self,
        info: Info,
        input: Annotated[SuspendCustomerInput, strawberry.argument(description="Which and why.")],
    ) -> CustomerPayload:
        return await change_status(
            info, "suspend", id=input.id, note=input.reason, payload=SuspendCustomerPayload
        )
