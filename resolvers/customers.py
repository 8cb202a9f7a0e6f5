"""Creating customers: who may, under which reseller, and writing one in a single transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from tortoise.exceptions import IntegrityError

from models import (
    Industry,
    Organization,
    OrganizationKind,
    OrganizationStatus,
)
from resolvers import global_id, idempotency, sql
from resolvers.actors import Actor, Permission
from resolvers.atomic import atomic
from resolvers.errors import ErrorCode, FieldError, Forbidden, InvalidInput, NotFound
from resolvers.organizations import get_organization
from resolvers.records import AddressRecord, ContactRecord, OrganizationRecord
from resolvers.validation import CustomerDraft, validate_customer
from resolvers.visibility import visible

RESELLER_FIELD = ("resellerId",)


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
    if duplicates := await _duplicates(reseller, data):
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
        if duplicates := await _duplicates(reseller, data):
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


@dataclass(frozen=True, slots=True)
class Checked:
    normalized: CustomerDraft
    reseller: UUID | None
    errors: list[FieldError]


async def check_customer(
    *,
    actor: Actor,
    draft: CustomerDraft,
    reseller_id: str | None,
    currencies: tuple[str, ...],
    duplicates: bool = True,
) -> Checked:
    """Everything createCustomer checks, without writing: form rules, target, duplicates.

    createCustomer looks for duplicates only after an idempotent replay is ruled out, since a
    replay's numbers naturally match the customer its first call created.
    """
    if not actor.can(Permission.CREATE_CUSTOMER):
        raise Forbidden("Your role does not allow creating customers.")
    reseller, reseller_errors = await _target_reseller(actor, reseller_id)
    result = validate_customer(draft, currencies=currencies)
    errors = [*reseller_errors, *result.errors]
    if duplicates and reseller is not None and not result.errors:
        errors += await _duplicates(reseller, result.normalized)
    return Checked(result.normalized, reseller, errors)


async def _target_reseller(
    actor: Actor, reseller_id: str | None
) -> tuple[UUID | None, list[FieldError]]:
    """The reseller the customer is created under, or the error that says why there is none."""
    if actor.org_kind is OrganizationKind.RESELLER:
        requested = global_id.decode_uuid(reseller_id, "Organization") if reseller_id else None
        if reseller_id is not None and requested != actor.org_id:
            return None, [_unknown_reseller()]
        return actor.org_id, []
    if reseller_id is None:
        message = "Choose the reseller the customer belongs to."
        return None, [FieldError(RESELLER_FIELD, ErrorCode.REQUIRED, message)]
    requested = global_id.decode_uuid(reseller_id, "Organization")
    exists = (
        requested is not None
        and await Organization.filter(
            visible(actor), id=requested, kind=OrganizationKind.RESELLER
        ).exists()
    )
    return (requested, []) if exists else (None, [_unknown_reseller()])


def _unknown_reseller() -> FieldError:
    return FieldError(RESELLER_FIELD, ErrorCode.NOT_FOUND, "No such reseller.")


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


_DUPLICATES_SQL = """
SELECT "erp_id", "tax_id", "registration_country", "registration_number" FROM "organization"
WHERE "parent_id" = $1
  AND ("erp_id" = $2 OR "tax_id" = $3
       OR ("registration_country" = $4 AND "registration_number" = $5))
"""


async def _duplicates(reseller: UUID, data: CustomerDraft) -> list[FieldError]:
    """Friendly DUPLICATE errors; the unique constraints are what actually guarantee it.

    Only called for a valid form, so every number compared here is present."""
    address = data.primary_address
    country = address.country if address else None
    rows = await sql.fetch(
        _DUPLICATES_SQL,
        reseller,
        data.erp_id,
        data.tax_id,
        country,
        data.registration_number,
    )
    errors: list[FieldError] = []
    checks = (
        ("erpId", "ERP ID", lambda r: r["erp_id"] == data.erp_id),
        ("taxId", "tax ID", lambda r: r["tax_id"] == data.tax_id),
        (
            "registrationNumber",
            "registration number",
            lambda r: (
                r["registration_country"] == country
                and r["registration_number"] == data.registration_number
            ),
        ),
    )
    for field, label, clashes in checks:
        if any(clashes(row) for row in rows):
            message = f"Another customer of this reseller already has this {label}."
            errors.append(FieldError((field,), ErrorCode.DUPLICATE, message))
    return errors


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
    ]
