"""verifyTaxId: queue a fresh check of a customer's tax ID now."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.core.errors import UserError, errors_field, user_errors
from graph.organizations.types import Organization
from resolvers.errors import DomainError
from resolvers.verification.verify import verify_tax_id


@strawberry.input(description="Which customer's tax ID to check again.")
class VerifyTaxIdInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the customer.")


@strawberry.type(description="Result of verifyTaxId.")
class VerifyTaxIdPayload:
    customer: Organization | None = strawberry.field(
        default=None,
        description="The customer, its taxIdVerification PENDING when a check started.",
    )
    errors: list[UserError] = errors_field()


@strawberry.type
class VerificationMutations:
    @strawberry.mutation(
        description=(
            "Queue a fresh check of the customer's tax ID with its registry now; a customer "
            "without a registry (NOT_APPLICABLE) or with a check under way (PENDING) is "
            "answered as it is."
        )
    )
    async def verify_tax_id(
        self,
        info: Info,
        input: Annotated[VerifyTaxIdInput, strawberry.argument(description="Which customer.")],
    ) -> VerifyTaxIdPayload:
        ctx = info.context
        try:
            record = await verify_tax_id(
                actor=ctx.require_actor(permission=None), id=input.id, settings=ctx.settings
            )
        except DomainError as error:
            return VerifyTaxIdPayload(errors=user_errors(error))
        return VerifyTaxIdPayload(customer=Organization.from_record(record))
