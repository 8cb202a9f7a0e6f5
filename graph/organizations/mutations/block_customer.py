"""blockCustomer: an ACTIVE or SUSPENDED customer becomes BLOCKED: it may no longer use the
portal."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.organizations.mutations.base import CustomerPayload, change_status, customer_payload

BlockCustomerPayload = customer_payload("blockCustomer", status="BLOCKED")


@strawberry.input(description="Block an ACTIVE or SUSPENDED customer, with a reason.")
class BlockCustomerInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the customer.")
    reason: str = strawberry.field(description="Why; required.")


@strawberry.type
class BlockCustomerMutation:
    @strawberry.mutation(
        description="Block an ACTIVE or SUSPENDED customer, with a reason.",
        graphql_type=BlockCustomerPayload,
    )
    async def block_customer(
        self,
        info: Info,
        input: Annotated[BlockCustomerInput, strawberry.argument(description="Which and why.")],
    ) -> CustomerPayload:
        return await change_status(
            info, "block", id=input.id, note=input.reason, payload=BlockCustomerPayload
        )
