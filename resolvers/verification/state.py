"""Reading verification states for the API, and the approval rule that depends on them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from models import Job, JobStatus, TaxIdVerification
from models import TaxIdVerificationStatus as Status


@dataclass(frozen=True, slots=True)
class VerificationRecord:
    status: Status
    registry: str | None = None
    checked_at: datetime | None = None
    consultation_number: str | None = None
    registered_name: str | None = None
    registered_address: str | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    message: str | None = None


NOT_APPLICABLE = VerificationRecord(Status.NOT_APPLICABLE)
_FIELDS = (
    "organization_id",
    "status",
    "registry",
    "checked_at",
    "consultation_number",
    "registered_name",
    "registered_address",
    "attempts",
    "message",
    "job_id",
)


async def load_verifications(org_ids: Sequence[UUID]) -> dict[UUID, VerificationRecord]:
    """Each organization's state; while PENDING, attempts, next attempt and the last error
    come from its job (one more query, only when a check is under way)."""
    rows = await TaxIdVerification.filter(organization_id__in=list(org_ids)).values(*_FIELDS)
    pending = [r["job_id"] for r in rows if r["status"] is Status.PENDING and r["job_id"]]
    jobs = {}
    if pending:
        found = await Job.filter(id__in=pending).values(
            "id", "attempts", "run_at", "status", "last_error"
        )
        jobs = {j["id"]: j for j in found}
    result = {}
    for row in rows:
        org_id, job_id = row.pop("organization_id"), row.pop("job_id")
        job = jobs.get(job_id) if row["status"] is Status.PENDING else None
        if job is not None:
            row["attempts"], row["message"] = job["attempts"], job["last_error"]
            row["next_attempt_at"] = job["run_at"] if job["status"] is JobStatus.QUEUED else None
        result[org_id] = VerificationRecord(**row)
    return result


async def approvable(org_id: UUID) -> bool:
    """PORTAL_APPROVAL_REQUIRES_VERIFIED_TAX_ID: VERIFIED or NOT_APPLICABLE (no state at all
    is NOT_APPLICABLE: customers from before verification, or verification off)."""
    state = await TaxIdVerification.filter(organization_id=org_id).values_list("status", flat=True)
    return not state or state[0] in (Status.VERIFIED, Status.NOT_APPLICABLE)
