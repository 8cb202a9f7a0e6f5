"""reactivateCustomer: a SUSPENDED or BLOCKED customer becomes ACTIVE again (its original
approval stays on record)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.organizations.mutations.base import CustomerPayload, change_status, customer_payload

ReactivateCustomerPayload = customer_payload("reactivateCustomer", status="ACTIVE")


@strawberry.input(description="Reactivate a SUSPENDED or BLOCKED customer.")
class ReactivateCustomerInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the customer.")
    comment: str | None = strawberry.field(default=None, description="Optional note.")


@strawberry.type
class ReactivateCustomerMutation:
    @strawberry.mutation(
        description="Reactivate a SUSPENDED or BLOCKED customer.",
        graphql_type=ReactivateCustomerPayload,
    )
    async def reactivate_customer(
        self,
        info: Info,
        input: Annotated[
            ReactivateCustomerInput, strawberry.argument(description="Which and why.")
        ],
    ) -> CustomerPayload:
        return await change_status(
            info, "reactivate", id=input.id, note=input.comment, payload=ReactivateCustomerPayload
        )
