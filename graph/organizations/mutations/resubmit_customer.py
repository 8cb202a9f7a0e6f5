"""resubmitCustomer: a REJECTED customer goes back to PENDING_APPROVAL, after corrections."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.organizations.mutations.base import CustomerPayload, change_status, customer_payload

ResubmitCustomerPayload = customer_payload("resubmitCustomer", status="PENDING_APPROVAL")


@strawberry.input(description="Send a REJECTED customer back for approval.")
class ResubmitCustomerInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the customer.")
    comment: str | None = strawberry.field(
        default=None, description="Optional note, e.g. what was corrected."
    )


@strawberry.type
class ResubmitCustomerMutation:
    @strawberry.mutation(
        description="Send a REJECTED customer back for approval.",
        graphql_type=ResubmitCustomerPayload,
    )
    async def resubmit_customer(
        self,
        info: Info,
        input: Annotated[ResubmitCustomerInput, strawberry.argument(description="Which and why.")],
    ) -> CustomerPayload:
        return await change_status(
            info, "resubmit", id=input.id, note=input.comment, payload=ResubmitCustomerPayload
        )
