"""Creating customers: replays, the write in one transaction, and the answer from what was
written. What is checked before writing lives in resolvers.customer_checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from tortoise.exceptions import IntegrityError

from models import OrganizationStatus
from resolvers import audit, idempotency, rows, sql
from resolvers.actors import Actor, Permission
from resolvers.customer_checks import check_customer, duplicates_of
from resolvers.errors import FieldError, Forbidden, InvalidInput, NotFound
from resolvers.organizations import get_organization
from resolvers.records import AddressRecord, ContactRecord, OrganizationRecord
from resolvers.validation import CustomerDraft
from resolvers.verification import verification_rows
from settings import Settings

OPERATION = "createCustomer"  # what its idempotency keys are for


@dataclass(frozen=True, slots=True)
class Created:
    customer: OrganizationRecord
    replayed: bool
    # What this call wrote, so the answer needs no second read; a replay leaves them unloaded.
    address: AddressRecord | None = None
    contact: ContactRecord | None = None


async def create_customer(
    *,
    actor: Actor,
    draft: CustomerDraft,
    reseller_id: str | None,
    idempotency_key: str | None,
    currencies: tuple[str, ...],
    idempotency_ttl: int,
    request_id: str | None = None,
    verification: Settings | None = None,
    approve: bool = False,
    four_eyes: bool = False,
) -> Created:
    """`verification`: the settings that decide the tax-ID check, started in the same
    transaction (None: no check, e.g. for the demo seed). `approve`: create and approve in
    one write ("create and approve"), for people who may approve; refused under four eyes,
    where the creator may never be the approver."""
    checked = await check_customer(
        actor=actor, draft=draft, reseller_id=reseller_id, currencies=currencies, duplicates=False
    )
    if approve and not actor.can(Permission.APPROVE_CUSTOMER):
        raise Forbidden("Your role does not allow approving customers.")
    if approve and four_eyes:
        raise Forbidden(
            "Four-eyes rule: someone other than the creator must approve; create it without "
            "`approve` and ask a colleague."
        )
    # Keys are trimmed like every other text: " k " and "k" are one key.
    idempotency_key = idempotency_key.strip() if idempotency_key is not None else None
    key_errors = idempotency.check_key(idempotency_key)
    if checked.errors or key_errors or checked.reseller is None:
        raise InvalidInput([*checked.errors, *key_errors])
    data, reseller = checked.normalized, checked.reseller
    now = datetime.now(UTC)
    # "Create and approve" asks for more than "create": the same key for both is refused.
    request = (reseller, data, "approve") if approve else (reseller, data)
    key = (
        idempotency.Key.of(
            scope=actor.org_id, operation=OPERATION, value=idempotency_key, request=request
        )
        if idempotency_key is not None
        else None
    )
    customer_id = uuid4()
    written = _rows(customer_id, actor, reseller, data, now, request_id, approve=approve)
    if verification is not None:
        written += verification_rows(
            organization_id=customer_id, tax_id=data.tax_id, settings=verification, now=now
        )
    claim = (
        idempotency.remember(key, result_id=customer_id, now=now, ttl=idempotency_ttl)
        if key is not None
        else None
    )
    if sql.is_postgres(sql.client()):
        return await _write_at_once(actor, key, now, reseller, written, claim, data)
    # SQLite (no INSERT or DELETE in WITH): look first, then write in one transaction.
    if key is not None:
        # Also forgets the caller's expired keys: one of them may hold this very key, which
        # would block remembering it with the rows below.
        replay = await _replay(actor, key, now, forget_expired=True)
        if replay is not None:
            return replay
    if duplicates := await duplicates_of(reseller, data):
        return await _replay_or_refuse(actor, key, now, duplicates)
    try:
        await sql.write(*written, *([claim] if claim else []))
    except IntegrityError as error:
        return await _after_conflict(actor, key, now, reseller, data, error)
    return _as_written(written)


async def _write_at_once(
    actor: Actor,
    key: idempotency.Key | None,
    now: datetime,
    reseller: UUID,
    written: list[sql.Row],
    claim: sql.Row | None,
    data: CustomerDraft,
) -> Created:
    """PostgreSQL: the common case (a new customer under a new or expired key) is one
    statement with no lookups before it: profiled, the replay and duplicate lookups were two
    of its four round trips. The unique constraints refuse duplicates, and a key an earlier
    request still holds writes nothing; only then are the replay or the clash looked up."""
    try:
        if claim is None or key is None:
            await sql.write(*written)
            return _as_written(written)
        for _ in range(2):
            unique = ("scope_org_id", "key")
            if await sql.insert_claiming(claim, unique, "expires_at", now, *written):
                return _as_written(written)
            replay = await _replay(actor, key, now)
            if replay is not None:
                return replay
            # The holder expired between the two statements: claim the key again, once.
    except IntegrityError as error:
        return await _after_conflict(actor, key, now, reseller, data, error)
    raise RuntimeError("an idempotency key was held and free at the same time")


async def _after_conflict(
    actor: Actor,
    key: idempotency.Key | None,
    now: datetime,
    reseller: UUID,
    data: CustomerDraft,
    error: IntegrityError,
) -> Created:
    """A unique constraint refused the write (so nothing was written): another customer has
    these numbers, or a concurrent request with the same key won the race."""
    if duplicates := await duplicates_of(reseller, data):
        return await _replay_or_refuse(actor, key, now, duplicates)
    created = await _replay(actor, key, now) if key is not None else None
    if created is None:
        raise error
    return created


def _as_written(written: list[sql.Row]) -> Created:
    # The rows as written are the rows a read would return (through the same converters).
    org, address, contact = (row.values for row in written[:3])
    return Created(
        OrganizationRecord.from_raw(org),
        replayed=False,
        address=AddressRecord.from_raw(address),
        contact=ContactRecord.from_raw(contact),
    )


async def _replay(
    actor: Actor, key: idempotency.Key, now: datetime, *, forget_expired: bool = False
) -> Created | None:
    customer_id = await idempotency.find_replay(key, now=now, forget_expired=forget_expired)
    if customer_id is None:
        return None
    record = await get_organization(actor=actor, id=customer_id)
    if record is None:
        raise NotFound("The customer this key created no longer exists.")
    return Created(record, replayed=True)


async def _replay_or_refuse(
    actor: Actor, key: idempotency.Key | None, now: datetime, duplicates: list[FieldError]
) -> Created:
    """Clashing numbers are a retry's own customer when its key's first call has committed
    in the meantime (customer and key are written together, so seeing one means both)."""
    replay = await _replay(actor, key, now) if key is not None else None
    if replay is None:
        raise InvalidInput(duplicates)
    return replay


def _rows(
    org_id: UUID,
    actor: Actor,
    reseller: UUID,
    data: CustomerDraft,
    now: datetime,
    request_id: str | None,
    *,
    approve: bool,
) -> list[sql.Row]:
    """The customer, its address, contact, first history entry and audit entry, in insertion
    order; with `approve`, the approval's history and audit entries too."""
    address, contact = data.primary_address, data.primary_contact
    # Validation guarantees every required part; the asserts tell the type checker so.
    assert address is not None and contact is not None and address.country is not None
    written = [
        rows.customer_row(
            id=org_id,
            reseller=reseller,
            data=data,
            country=address.country,
            actor=actor,
            now=now,
            approved=approve,
        ),
        rows.address_row(organization_id=org_id, address=address),
        rows.contact_row(organization_id=org_id, contact=contact),
        *audit.status_rows(
            organization_id=org_id,
            version=1,
            from_status=None,
            to_status=OrganizationStatus.PENDING_APPROVAL,
            comment=None,
            actor=actor,
            now=now,
            request_id=request_id,
        ),
    ]
    if approve:
        written += audit.status_rows(
            organization_id=org_id,
            version=2,
            from_status=OrganizationStatus.PENDING_APPROVAL,
            to_status=OrganizationStatus.ACTIVE,
            comment=None,
            actor=actor,
            now=rows.approval_time(now),
            request_id=request_id,
        )
    return written
