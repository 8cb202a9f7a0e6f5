"""Creating customers: replays, the write in one transaction, and the answer from what was
written. What is checked before writing lives in resolvers.customer_checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from tortoise.exceptions import IntegrityError

from models import (
    AuditAction,
    Industry,
    OrganizationKind,
    OrganizationStatus,
)
from resolvers import audit, idempotency, sql
from resolvers.actors import Actor
from resolvers.atomic import atomic
from resolvers.customer_checks import check_customer, duplicates_of
from resolvers.errors import FieldError, InvalidInput, NotFound
from resolvers.organizations import get_organization
from resolvers.records import AddressRecord, ContactRecord, OrganizationRecord
from resolvers.validation import CustomerDraft


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
) -> Created:
    checked = await check_customer(
        actor=actor, draft=draft, reseller_id=reseller_id, currencies=currencies, duplicates=False
    )
    # Keys are trimmed like every other text: " k " and "k" are one key.
    idempotency_key = idempotency_key.strip() if idempotency_key is not None else None
    key_errors = idempotency.check_key(idempotency_key)
    if checked.errors or key_errors or checked.reseller is None:
        raise InvalidInput([*checked.errors, *key_errors])
    data, reseller = checked.normalized, checked.reseller
    now = datetime.now(UTC)
    fingerprint = idempotency.request_hash(reseller, data)
    # PostgreSQL forgets the caller's expired keys while looking this one up, so the rows
    # below go in as one statement, a transaction by itself. SQLite (no DELETE in WITH) does
    # both in the transaction that writes the rows.
    postgres = sql.is_postgres(sql.client())
    if idempotency_key is not None:
        replay = await _replay(actor, idempotency_key, fingerprint, now, forget_expired=postgres)
        if replay is not None:
            return replay
    if duplicates := await duplicates_of(reseller, data):
        return await _replay_or_refuse(actor, idempotency_key, fingerprint, now, duplicates)

    customer_id = uuid4()
    rows = _rows(customer_id, actor, reseller, data, now, request_id)
    if idempotency_key is not None:
        rows.append(
            idempotency.record(
                scope=actor.org_id,
                key=idempotency_key,
                fingerprint=fingerprint,
                customer_id=customer_id,
                now=now,
                ttl=idempotency_ttl,
            )
        )

    async def write() -> None:
        if idempotency_key is not None:
            await idempotency.forget_expired(scope=actor.org_id, now=now)
        await sql.insert(*rows)

    try:
        await (sql.insert(*rows) if postgres else atomic(write))
    except IntegrityError:
        # A concurrent request won the race: the same key (a retry) or the same numbers.
        # The failed transaction is already rolled back, so reading again is safe here.
        if duplicates := await duplicates_of(reseller, data):
            return await _replay_or_refuse(actor, idempotency_key, fingerprint, now, duplicates)
        created = (
            await _replay(actor, idempotency_key, fingerprint, now) if idempotency_key else None
        )
        if created is None:
            raise
        return created
    # The rows as written are the rows a read would return (through the same converters).
    org, address, contact = (row.values for row in rows[:3])
    return Created(
        OrganizationRecord.from_raw(org),
        replayed=False,
        address=AddressRecord.from_raw(address),
        contact=ContactRecord.from_raw(contact),
    )


async def _replay(
    actor: Actor, key: str, fingerprint: str, now: datetime, *, forget_expired: bool = False
) -> Created | None:
    customer_id = await idempotency.find_replay(
        scope=actor.org_id, key=key, fingerprint=fingerprint, now=now, forget_expired=forget_expired
    )
    if customer_id is None:
        return None
    record = await get_organization(actor=actor, id=customer_id)
    if record is None:
        raise NotFound("The customer this key created no longer exists.")
    return Created(record, replayed=True)


async def _replay_or_refuse(
    actor: Actor,
    key: str | None,
    fingerprint: str,
    now: datetime,
    duplicates: list[FieldError],
) -> Created:
    """Clashing numbers are a retry's own customer when its key's first call has committed
    in the meantime (customer and key are written together, so seeing one means both)."""
    replay = await _replay(actor, key, fingerprint, now) if key is not None else None
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
) -> list[sql.Row]:
    """The customer, its address, contact and first history entry, in insertion order."""
    address, contact = data.primary_address, data.primary_contact
    # Validation guarantees every required part; the asserts tell the type checker so.
    assert address is not None and contact is not None and data.industry is not None
    organization = {
        "id": org_id,
        "kind": OrganizationKind.CUSTOMER,
        "status": OrganizationStatus.PENDING_APPROVAL,
        "parent_id": reseller,
        "short_name": data.short_name,
        "full_name": data.full_name,
        "erp_id": data.erp_id,
        "registration_number": data.registration_number,
        "registration_country": address.country,
        "tax_id": data.tax_id,
        "currency": data.currency,
        "industry": Industry(data.industry),
        "created_at": now,
        "created_by": actor.subject,
        "created_by_org_id": actor.org_id,
        "approved_at": None,
        "approved_by": None,
        "updated_at": now,
        "version": 1,
    }
    return [
        sql.Row("organization", organization),
        sql.Row(
            "address",
            {
                "id": uuid4(),
                "organization_id": org_id,
                "country": address.country,
                "city": address.city,
                "state": address.state,
                "line1": address.line1,
                "line2": address.line2,
                "postal_code": address.postal_code,
            },
        ),
        sql.Row(
            "contact",
            {
                "id": uuid4(),
                "organization_id": org_id,
                "first_name": contact.first_name,
                "last_name": contact.last_name,
                "role": contact.role,
                "email": contact.email,
                "phone": contact.phone,
            },
        ),
        sql.Row(
            "status_change",
            {
                "id": uuid4(),
                "organization_id": org_id,
                "from_status": None,
                "to_status": OrganizationStatus.PENDING_APPROVAL,
                "comment": None,
                "occurred_at": now,
                "actor_subject": actor.subject,
                "actor_org_id": actor.org_id,
                "request_id": request_id,
            },
        ),
        *audit.rows(
            audit.Entry(
                organization_id=org_id,
                action=AuditAction.CREATED,
                version=1,
                occurred_at=now,
                actor=actor,
                request_id=request_id,
                to_status=OrganizationStatus.PENDING_APPROVAL,
            )
        ),
    ]
