"""The customer lifecycle: PENDING_APPROVAL → ACTIVE (approve) or → REJECTED (reject).

A transition is one conditional UPDATE (`WHERE id = … AND status = PENDING_APPROVAL`); its row
count says whether this call won, so two approvers at once yield exactly one transition on
SQLite and PostgreSQL alike. The history entry is written in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime

from models import Organization, OrganizationKind, OrganizationStatus, StatusChange
from resolvers import global_id
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
    if four_eyes and customer.created_by == actor.subject:
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


async def _transition(
    actor: Actor,
    customer: OrganizationRecord,
    to: OrganizationStatus,
    note: str | None,
    request_id: str | None,
) -> OrganizationRecord:
    now = datetime.now(UTC)
    changes: dict[str, object] = {"status": to, "updated_at": now}
    if to is OrganizationStatus.ACTIVE:
        changes |= {"approved_at": now, "approved_by": actor.subject}

    async def write() -> bool:
        won = await Organization.filter(id=customer.id, status=_FROM).update(**changes)
        if won:
            await StatusChange.create(
                organization_id=customer.id,
                from_status=_FROM,
                to_status=to,
                comment=note,
                occurred_at=now,
                actor_subject=actor.subject,
                actor_org_id=actor.org_id,
                request_id=request_id,
            )
        return bool(won)

    won = await atomic(write)
    if not won:
        current = await get_organization(actor=actor, id=customer.id)
        status = current.status if current else customer.status
        raise InvalidTransition(
            f"The customer is {status}; only a customer in {_FROM} can become {to}."
        )
    updated = await get_organization(actor=actor, id=customer.id)
    assert updated is not None
    return updated
