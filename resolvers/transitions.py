"""The customer lifecycle: PENDING_APPROVAL → ACTIVE (approve) or → REJECTED (reject).

A transition is one conditional UPDATE (`WHERE id = … AND status = PENDING_APPROVAL`); its row
count says whether this call won, so two approvers at once yield exactly one transition on
SQLite and PostgreSQL alike. The history entry is written in the same transaction (on
PostgreSQL in the same statement), and RETURNING hands back the updated row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from models import AuditAction, OrganizationKind, OrganizationStatus
from resolvers import audit, global_id, sql
from resolvers.actors import Actor, Permission
from resolvers.atomic import atomic
from resolvers.errors import (
    ErrorCode,
    FieldError,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
)
from resolvers.organizations import get_organization
from resolvers.records import OrganizationRecord
from resolvers.validation.text import is_refused_char

MAX_NOTE_LENGTH = 2000
_FROM = OrganizationStatus.PENDING_APPROVAL


async def approve_customer(
    *, actor: Actor, id: str, comment: str | None, four_eyes: bool, request_id: str | None = None
) -> OrganizationRecord:
    note = _note(comment, ("comment",), required=False)
    customer = await _actionable(actor, id, Permission.APPROVE_CUSTOMER)
    # The creator is a person in an organization: the same `sub` elsewhere is someone else.
    if four_eyes and (customer.created_by, customer.created_by_org_id) == (
        actor.subject,
        actor.org_id,
    ):
        raise Forbidden(
            "Four-eyes rule: someone other than the creator must approve this customer."
        )
    return await _transition(actor, customer, OrganizationStatus.ACTIVE, note, request_id)


async def reject_customer(
    *, actor: Actor, id: str, reason: str | None, request_id: str | None = None
) -> OrganizationRecord:
    note = _note(reason, ("reason",), required=True)
    customer = await _actionable(actor, id, Permission.REJECT_CUSTOMER)
    return await _transition(actor, customer, OrganizationStatus.REJECTED, note, request_id)


def _note(text: str | None, field: tuple[str, ...], *, required: bool) -> str | None:
    value = (text or "").strip()
    problem: FieldError | None = None
    if not value and required:
        problem = FieldError(field, ErrorCode.REQUIRED, "Give a reason.")
    elif len(value) > MAX_NOTE_LENGTH:
        message = f"Use at most {MAX_NOTE_LENGTH} characters."
        problem = FieldError(field, ErrorCode.TOO_LONG, message)
    elif any(is_refused_char(ch) and ch not in "\n\t" for ch in value):  # multi-line is fine
        problem = FieldError(field, ErrorCode.INVALID_FORMAT, "Remove control characters.")
    if problem:
        raise InvalidInput([problem])
    return value or None


async def _actionable(actor: Actor, id: str, permission: Permission) -> OrganizationRecord:
    org_id = global_id.decode_uuid(id, "Organization")
    customer = await get_organization(actor=actor, id=org_id) if org_id else None
    if customer is None or customer.kind is not OrganizationKind.CUSTOMER:
        raise NotFound("No such customer.", field=("id",))
    responsible = (
        actor.org_kind is OrganizationKind.DISTRIBUTOR or customer.parent_id == actor.org_id
    )
    if not (actor.can(permission) and responsible):
        raise Forbidden("Your role does not allow this for this customer.")
    return customer


_RECORD_COLUMNS = OrganizationRecord.columns()
_HISTORY_COLUMNS = (
    "id",
    "organization_id",
    "from_status",
    "to_status",
    "comment",
    "occurred_at",
    "actor_subject",
    "actor_org_id",
    "request_id",
)
# $1 id, $2 from, $3 to, $4 now, $5 approver (NULL on reject: approval columns keep theirs).
_UPDATE = f"""
UPDATE "organization" SET "status" = $3, "updated_at" = $4, "version" = "version" + 1,
    "approved_at" = CASE WHEN CAST($5 AS TEXT) IS NULL THEN "approved_at" ELSE $4 END,
    "approved_by" = COALESCE(CAST($5 AS TEXT), "approved_by")
WHERE "id" = $1 AND "status" = $2
RETURNING {sql.columns(_RECORD_COLUMNS)}
"""
# PostgreSQL: the UPDATE and the history entry in one statement (atomic by itself: one round
# trip, no BEGIN/COMMIT); the entry is written only when the conditional UPDATE matched.
_UPDATE_AND_RECORD = f"""
WITH won AS ({_UPDATE}),
entry AS (
    INSERT INTO "status_change" ({sql.columns(_HISTORY_COLUMNS)})
    SELECT $6::uuid, "id", $2, $3, $7::text, $4, $8::text, $9::uuid, $10::text FROM won
),
audit AS (
    INSERT INTO "audit_entry" ({sql.columns(audit.COLUMNS)})
    SELECT $11::uuid, "id", 'STATUS_CHANGED', "version", $4, $8::text, $9::uuid, $10::text,
        $2, $3, $7::text, NULL FROM won
)
SELECT * FROM won
"""


async def _transition(
    actor: Actor,
    customer: OrganizationRecord,
    to: OrganizationStatus,
    note: str | None,
    request_id: str | None,
) -> OrganizationRecord:
    now = datetime.now(UTC)
    approver = actor.subject if to is OrganizationStatus.ACTIVE else None
    update = (customer.id, _FROM, to, now, approver)
    entry = {
        "id": uuid4(),
        "organization_id": customer.id,
        "from_status": _FROM,
        "to_status": to,
        "comment": note,
        "occurred_at": now,
        "actor_subject": actor.subject,
        "actor_org_id": actor.org_id,
        "request_id": request_id,
    }

    def audited(version: int) -> list[sql.Row]:
        return audit.rows(
            audit.Entry(
                organization_id=customer.id,
                action=AuditAction.STATUS_CHANGED,
                version=version,
                occurred_at=now,
                actor=actor,
                request_id=request_id,
                from_status=_FROM,
                to_status=to,
                comment=note,
            )
        )

    async def write() -> list[dict[str, Any]]:
        won = await sql.fetch(_UPDATE, *update)
        if won:
            await sql.insert(sql.Row("status_change", entry), *audited(won[0]["version"]))
        return won

    if sql.is_postgres(sql.client()):
        rows = await sql.fetch(
            _UPDATE_AND_RECORD,
            *update,
            *(entry[c] for c in ("id", "comment", "actor_subject", "actor_org_id", "request_id")),
            uuid4(),
        )
    else:
        rows = await atomic(write)
    if not rows:
        current = await get_organization(actor=actor, id=customer.id)
        status = current.status if current else customer.status
        raise InvalidTransition(
            f"The customer is {status}; only a customer in {_FROM} can become {to}."
        )
    # RETURNING gave the row as updated: no second read.
    return OrganizationRecord.from_raw(rows[0])
