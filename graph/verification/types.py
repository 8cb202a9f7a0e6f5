"""What the tax registry said about an organization's tax ID, as the approver sees it."""

from __future__ import annotations

from datetime import datetime

import strawberry

from models import TaxIdVerificationStatus
from resolvers.verification.state import VerificationRecord

strawberry.enum(
    TaxIdVerificationStatus,
    description=(
        "NOT_APPLICABLE (no registry for the number's country), PENDING (queued or retrying), "
        "VERIFIED, INVALID (the registry says it is not registered), UNAVAILABLE (the registry "
        "did not answer after every retry)."
    ),
)


@strawberry.type(description="The tax registry's answer about the tax ID (VIES, HMRC).")
class TaxIdVerification:
    status: TaxIdVerificationStatus = strawberry.field(description="Where the check stands.")
    registry: str | None = strawberry.field(description="VIES or HMRC; null when not applicable.")
    checked_at: datetime | None = strawberry.field(description="When the registry answered.")
    consultation_number: str | None = strawberry.field(
        description="The registry's proof of the check (VIES requestIdentifier, HMRC's number)."
    )
    registered_name: str | None = strawberry.field(description="The name the registry holds.")
    registered_address: str | None = strawberry.field(
        description="The address the registry holds, lines joined by newlines."
    )
    attempts: int = strawberry.field(description="Registry calls made for this check.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When the next attempt is due, while PENDING."
    )
    message: str | None = strawberry.field(
        description="The registry's last error code, e.g. MS_UNAVAILABLE."
    )

    @classmethod
    def from_record(cls, r: VerificationRecord) -> TaxIdVerification:
        return cls(
            status=r.status,
            registry=r.registry,
            checked_at=r.checked_at,
            consultation_number=r.consultation_number,
            registered_name=r.registered_name,
            registered_address=r.registered_address,
            attempts=r.attempts,
            next_attempt_at=r.next_attempt_at,
            message=r.message,
        )
