"""archiveCustomer: a PENDING_APPROVAL, REJECTED or BLOCKED customer becomes ARCHIVED, for good.
The record stays readable for the audit trail; lists hide it unless asked, and its numbers
may be used by a new customer."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.organizations.mutations.base import CustomerPayload, change_status, customer_payload

ArchiveCustomerPayload = customer_payload("archiveCustomer", status="ARCHIVED")


_WHAT = "Archive a PENDING_APPROVAL, REJECTED or BLOCKED customer (final), with a reason."


@strawberry.input(description=_WHAT)
class ArchiveCustomerInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the customer.")
    reason: str = strawberry.field(description="Why; required.")


@strawberry.type
class ArchiveCustomerMutation:
    @strawberry.mutation(
        description=_WHAT,
        graphql_type=ArchiveCustomerPayload,
    )
    async def archive_customer(
        self,
        info: Info,
        input: Annotated[ArchiveCustomerInput, strawberry.argument(description="Which and why.")],
    ) -> CustomerPayload:
        return await change_status(
            info, "archive", id=input.id, note=input.reason, payload=ArchiveCustomerPayload
        )
