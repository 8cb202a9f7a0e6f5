"""The customer lifecycle as a table, and the one function that moves a customer along it.

    PENDING_APPROVAL ──approve──▶ ACTIVE ──suspend*──▶ SUSPENDED
    PENDING_APPROVAL ──reject*──▶ REJECTED ──resubmit──▶ PENDING_APPROVAL
    ACTIVE | SUSPENDED ──block*──▶ BLOCKED
    SUSPENDED | BLOCKED ──reactivate──▶ ACTIVE
    PENDING_APPROVAL | REJECTED | BLOCKED ──archive*──▶ ARCHIVED (final)
    (* a reason is required)

`TRANSITIONS` is the whole lifecycle (product brief, "Lifecycle"); each row is a mutation
(graph/organizations/mutations/). Every other move is INVALID_STATUS_TRANSITION on ["id"]
and writes nothing; ARCHIVED is no row's source, so it is final.

A transition is one conditional UPDATE (`WHERE id = … AND status = <the status it was read
in> AND version = <the version it was read in>`); its row count says whether this call won,
so two people acting at once yield exactly one transition on SQLite and PostgreSQL alike.
The history entry and the audit entry are written in the same transaction
(`sql.update_then_insert`: on PostgreSQL in the same statement), and RETURNING hands back
the updated row.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from models import OrganizationKind, OrganizationStatus
from resolvers import audit, global_id, sql
from resolvers.actors import Actor, Permission
from resolvers.errors import (
    ErrorCode,
    FieldError,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    TaxIdNotVerified,
    Unavailable,
)
from resolvers.organizations import get_organization
from resolvers.records import OrganizationRecord
from resolvers.validation.text import is_refused_char
from resolvers.verification.state import approvable

MAX_NOTE_LENGTH = 2000
# Edits racing a status change make it read again; a handful of rounds settles any real race.
ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Transition:
    """One allowed move: from any of `sources` to `target`, for holders of `permission`.

    The note is the input field `reason` when `reason_required`, else an optional `comment`.
    `approves`: the move records who approved, and when (approve only; reactivating keeps the
    original approval)."""

    operation: str
    sources: tuple[str, ...]
    target: str
    permission: Permission
    reason_required: bool
    approves: bool = False

    @property
    def note_field(self) -> str:
        return "reason" if self.reason_required else "comment"


# Status names as the brief writes them; `_statuses` turns them into enum members.
TRANSITIONS: dict[str, Transition] = {
    t.operation: t
    for t in (
        Transition(
            "approve", ("PENDING_APPROVAL",), "ACTIVE", Permission.APPROVE_CUSTOMER, False, True
        ),
        Transition("reject", ("PENDING_APPROVAL",), "REJECTED", Permission.REJECT_CUSTOMER, True),
        Transition("suspend", ("ACTIVE",), "SUSPENDED", Permission.APPROVE_CUSTOMER, True),
        Transition("block", ("ACTIVE", "SUSPENDED"), "BLOCKED", Permission.APPROVE_CUSTOMER, True),
        Transition(
            "reactivate", ("SUSPENDED", "BLOCKED"), "ACTIVE", Permission.APPROVE_CUSTOMER, False
        ),
        Transition(
            "resubmit", ("REJECTED",), "PENDING_APPROVAL", Permission.CREATE_CUSTOMER, False
        ),
        Transition(
            "archive",
            ("PENDING_APPROVAL", "REJECTED", "BLOCKED"),
            "ARCHIVED",
            Permission.APPROVE_CUSTOMER,
            True,
        ),
    )
}

# A rule a transition checks on the customer before writing (four eyes, a verified tax ID).
Check = Callable[[Actor, OrganizationRecord], Awaitable[None]]


async def approve_customer(
    *,
    actor: Actor,
    id: str,
    comment: str | None,
    four_eyes: bool,
    request_id: str | None = None,
    requires_verified_tax_id: bool = False,
) -> OrganizationRecord:

    async def check(actor: Actor, customer: OrganizationRecord) -> None:
        if four_eyes:
            _four_eyes(actor, customer)
        if requires_verified_tax_id and not await approvable(customer.id):
            raise TaxIdNotVerified(
                "The tax ID is not verified yet (taxIdVerification); approve once it is VERIFIED.",
                field=("id",),
            )

    return await change_status(
        "approve", actor=actor, id=id, note=comment, request_id=request_id, check=check
    )


def _four_eyes(actor: Actor, customer: OrganizationRecord) -> None:
    # The creator is a person in an organization: the same `sub` elsewhere is someone else.
    # Wherever the person acts (X-Organization-ID), they are who their token says.
    if (customer.created_by, customer.created_by_org_id) == (actor.subject, actor.home_org_id):
        raise Forbidden(
            "Four-eyes rule: someone other than the creator must approve this customer."
        )


async def change_status(
    operation: str,
    *,
    actor: Actor,
    id: str,
    note: str | None,
    request_id: str | None = None,
    check: Check | None = None,
) -> OrganizationRecord:
    """Move the customer `id` along the table's row for `operation`, or say why not.

    The UPDATE names the status and the version the customer was read in, so the audit entry
    written with it carries the version the change makes. When it matches nothing, someone
    changed the customer in between: a status change makes this one invalid (read again and
    refuse); an edit (same status, higher version) does not, so the move is tried again."""
    transition = TRANSITIONS[operation]
    sources, target = _statuses(transition)
    text = _note(note, (transition.note_field,), required=transition.reason_required)
    for _ in range(ATTEMPTS):
        customer = await actionable_customer(actor, id, transition.permission)
        if check is not None:
            await check(actor, customer)
        if customer.status not in sources:
            _refuse(customer.status, sources, target)
        now = datetime.now(UTC)
        approver = actor.subject if transition.approves else None
        written = audit.status_rows(
            organization_id=customer.id,
            version=customer.version + 1,
            from_status=customer.status,
            to_status=target,
            comment=text,
            actor=actor,
            now=now,
            request_id=request_id,
        )
        won = await sql.update_then_insert(
            _UPDATE,
            customer.id,
            customer.status,
            target,
            now,
            approver,
            customer.version,
            rows=written,
        )
        if won:  # RETURNING gave the row as updated: no second read.
            return OrganizationRecord.from_raw(won[0])
    raise Unavailable("The customer keeps changing; try again in a moment.")


def _statuses(t: Transition) -> tuple[tuple[OrganizationStatus, ...], OrganizationStatus]:
    return tuple(OrganizationStatus(s) for s in t.sources), OrganizationStatus(t.target)


def _refuse(
    status: OrganizationStatus, sources: tuple[OrganizationStatus, ...], target: OrganizationStatus
) -> None:
    allowed = " or ".join(sources)
    raise InvalidTransition(
        f"The customer is {status}; only a customer in {allowed} can become {target}.",
        field=("id",),
    )


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


async def actionable_customer(actor: Actor, id: str, permission: Permission) -> OrganizationRecord:
    """The customer `id` if the actor sees it, holds `permission` and is responsible for it
    (its reseller, or the distributor); NotFound or Forbidden otherwise."""
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


# $1 id, $2 from, $3 to, $4 now, $5 approver (NULL unless approving: approval columns keep
# theirs), $6 the version it was read in.
_UPDATE = f"""
UPDATE "organization" SET "status" = $3, "updated_at" = $4, "version" = "version" + 1,
    "approved_at" = CASE WHEN CAST($5 AS TEXT) IS NULL THEN "approved_at" ELSE $4 END,
    "approved_by" = COALESCE(CAST($5 AS TEXT), "approved_by")
WHERE "id" = $1 AND "status" = $2 AND "version" = $6
RETURNING {sql.columns(OrganizationRecord.columns())}
"""
