"""What the customer mutations share: one payload definition for every status change.

A mutation that moves a customer to another status answers `customer` (as it is now) and
`errors`; `customer_payload` builds that payload under the operation's name, so the payloads
differ only by name and the status their description names.
"""

from __future__ import annotations

import strawberry

from graph.core.context import Info
from graph.core.errors import UserError, errors_field, user_errors
from graph.organizations.types import Organization
from resolvers import transitions
from resolvers.errors import DomainError


@strawberry.type(description="Result of a mutation that changes a customer.")
class CustomerPayload:
    customer: Organization | None = strawberry.field(
        default=None, description="The customer; null when errors."
    )
    errors: list[UserError] = errors_field()


def customer_payload(operation: str, *, status: str) -> type[CustomerPayload]:
    """`<Operation>Payload`: the customer, now in `status`, or every problem."""

    @strawberry.type(
        name=f"{operation[0].upper()}{operation[1:]}Payload",
        description=f"Result of {operation}.",
    )
    class Payload(CustomerPayload):
        customer: Organization | None = strawberry.field(
            default=None, description=f"The customer, now {status}; null when errors."
        )

    return Payload


async def change_status(
    info: Info,
    operation: str,
    *,
    id: str,
    note: str | None,
    payload: type[CustomerPayload],
) -> CustomerPayload:
    """Run the lifecycle table's row `operation` (resolvers/transitions.py) for a mutation
    field: the customer as it is now, or every problem in the payload."""
    ctx = info.context
    try:
        record = await transitions.change_status(
            operation,
            actor=ctx.require_actor(permission=None),
            id=id,
            note=note,
            request_id=ctx.request_id,
        )
    except DomainError as error:
        return payload(errors=user_errors(error))
    return payload(customer=Organization.from_record(record))
