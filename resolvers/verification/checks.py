"""A customer's tax-ID check: starting one (in the caller's transaction), running it as a job,
and recording the verdict.

States: NOT_APPLICABLE (no registry for the number's country, or verification off), PENDING
(a job is queued or retrying), VERIFIED, INVALID (the registry's explicit verdict) and
UNAVAILABLE (no answer after the last retry). A new check clears the previous verdict's
fields and points the row at its job; a job that is no longer the row's (a newer check
superseded it) does nothing, so a check started twice or re-run after a crash is harmless.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from uuid import UUID, uuid4

from models import AuditAction
from models import TaxIdVerificationStatus as Status
from resolvers import audit, sql
from resolvers.atomic import atomic
from resolvers.jobs import JobContext, Retry, job_row
from resolvers.verification.registries import HMRC, VIES, VIES_PREFIXES, NoAnswer, Verdict
from settings import Settings

TASK = "verify_tax_id"
QUEUES = {VIES: "verify-vies", HMRC: "verify-hmrc"}
Check = Callable[[str, str], Awaitable[Verdict]]  # (registry, tax ID) -> verdict


def registry_for(tax_id: str | None, settings: Settings) -> str | None:
    """Which registry answers for this stored tax ID, if any."""
    if not settings.tax_id_verification or not tax_id:
        return None
    prefix = tax_id[:2]
    if prefix in VIES_PREFIXES:
        return VIES
    if prefix == "GB" and settings.hmrc_client_id and settings.hmrc_client_secret:
        return HMRC
    return None


def _state(
    tax_id: str | None, registry: str | None, job_id: UUID | None, now: datetime
) -> dict[str, object]:
    return {
        "status": Status.PENDING if registry else Status.NOT_APPLICABLE,
        "registry": registry,
        "tax_id": tax_id,
        "job_id": job_id,
        "checked_at": None,
        "consultation_number": None,
        "registered_name": None,
        "registered_address": None,
        "attempts": 0,
        "message": None,
        "updated_at": now,
    }


def verification_rows(
    *, organization_id: UUID, tax_id: str | None, settings: Settings, now: datetime
) -> list[sql.Row]:
    """A new customer's verification state and, when a registry applies, its job: rows for
    the customer's own `sql.insert` (one statement on PostgreSQL)."""
    registry = registry_for(tax_id, settings)
    job_id = uuid4() if registry else None
    state: dict[str, object] = {"id": uuid4(), "organization_id": organization_id}
    state |= _state(tax_id, registry, job_id, now)
    jobs = [_job(organization_id, registry, now, job_id)] if registry and job_id else []
    return [sql.Row("tax_id_verification", state), *jobs]


def _job(organization_id: UUID, registry: str, now: datetime, job_id: UUID) -> sql.Row:
    payload = {"organization": str(organization_id)}
    return job_row(TASK, payload, queue=QUEUES[registry], now=now, id=job_id)


_RESTART = """
UPDATE tax_id_verification SET status = $2, registry = $3, tax_id = $4, job_id = $5,
    checked_at = NULL, consultation_number = NULL, registered_name = NULL,
    registered_address = NULL, attempts = 0, message = NULL, updated_at = $6
WHERE organization_id = $1 {only} RETURNING id
"""


async def enqueue_verification(
    *, organization_id: UUID, tax_id: str | None, settings: Settings, unless_pending: bool = False
) -> bool:
    """Start a fresh check of `tax_id` in the caller's transaction (call it inside
    `in_transaction()`/`atomic()` with the change that needs it, e.g. a changed tax ID).
    With `unless_pending`, a check already under way is left alone. True if one started."""
    now = datetime.now(UTC)
    registry = registry_for(tax_id, settings)
    job_id = uuid4() if registry else None
    job = _job(organization_id, registry, now, job_id) if registry and job_id else None
    state = _state(tax_id, registry, job_id, now)
    only = "AND status <> 'PENDING'" if unless_pending else ""
    args = [organization_id, state["status"], registry, tax_id, state["job_id"], now]
    updated = await sql.fetch(_RESTART.format(only=only), *args)
    if not updated:
        exists = await sql.fetch(
            "SELECT 1 FROM tax_id_verification WHERE organization_id = $1", organization_id
        )
        if exists:  # a check is under way
            return False
        await sql.insert(
            sql.Row(
                "tax_id_verification", {"id": uuid4(), "organization_id": organization_id, **state}
            )
        )
    if job is not None:
        await sql.insert(job)
    return job is not None


_CURRENT = """
SELECT status, registry, tax_id, job_id FROM tax_id_verification WHERE organization_id = $1
"""
_RECORD = """
UPDATE tax_id_verification SET status = $3, checked_at = $4, consultation_number = $5,
    registered_name = $6, registered_address = $7, attempts = $8, message = $9, updated_at = $10
WHERE organization_id = $1 AND job_id = $2 AND status = 'PENDING'
RETURNING registry, tax_id
"""


async def run_check(ctx: JobContext, check: Check, timeout_seconds: float) -> None:
    """The job: ask the registry, record its verdict; no answer raises Retry."""
    org_id = UUID(ctx.payload["organization"])
    rows = await sql.fetch(_CURRENT, org_id)
    if not rows or str(rows[0]["job_id"]) != str(ctx.id) or rows[0]["status"] != Status.PENDING:
        return  # superseded by a newer check, or already recorded
    try:
        async with asyncio.timeout(timeout_seconds * 2):  # token + lookup, each bounded
            verdict = await check(rows[0]["registry"], rows[0]["tax_id"])
    except NoAnswer as error:
        raise Retry(error.code, after=error.retry_after, slow_down=error.busy) from error
    except TimeoutError as error:
        raise Retry("TIMEOUT") from error
    status = Status.VERIFIED if verdict.valid else Status.INVALID
    await atomic(lambda: _record(ctx, status=status, verdict=verdict, message=None))


async def give_up(ctx: JobContext, code: str) -> None:
    """After the last retry (in the transaction that fails the job): UNAVAILABLE."""
    await _record(ctx, status=Status.UNAVAILABLE, verdict=Verdict(valid=False), message=code)


async def _record(
    ctx: JobContext, *, status: Status, verdict: Verdict, message: str | None
) -> None:
    org_id, now = UUID(ctx.payload["organization"]), datetime.now(UTC)
    rows = await sql.fetch(
        _RECORD,
        org_id,
        ctx.id,
        status,
        now if status is not Status.UNAVAILABLE else None,  # checkedAt: when it answered
        verdict.consultation_number,
        verdict.name,
        verdict.address,
        ctx.attempt,
        message,
        now,
    )
    if not rows:
        return
    await sql.insert(
        sql.Row(
            "tax_id_verification_event",
            {
                "id": uuid4(),
                "organization_id": org_id,
                "occurred_at": now,
                "status": status,
                "registry": rows[0]["registry"],
                "tax_id": rows[0]["tax_id"],
                "consultation_number": verdict.consultation_number,
                "message": message,
                "attempts": ctx.attempt,
            },
        )
    )
    # The audit log records every verdict too, by the system (no actor), without raising the
    # version: versions count what people write, so a form loaded before it is not stale.
    current = await sql.fetch('SELECT "version" FROM "organization" WHERE "id" = $1', org_id)
    if current:
        await audit.record(
            audit.Entry(
                organization_id=org_id,
                action=AuditAction.TAX_ID_VERIFICATION,
                version=int(current[0]["version"]),
                occurred_at=now,
                actor=None,
                request_id=None,
                comment=verdict.consultation_number or message,
                changes=(audit.FieldChange("taxIdVerification.status", "PENDING", status.value),),
            )
        )
