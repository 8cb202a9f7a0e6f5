"""Correcting a customer: optimistic concurrency, the create form's rules, one audit entry.

The client sends the version it loaded and only what it changes (a nested address or contact
replaces the whole one). The merged result is validated exactly as createCustomer validates a
form; a changed country re-checks everything that depends on it (tax ID, registration number,
postal code, state, phone). Fields the client left alone keep their stored value, so a
normalization rule that changed since they were written never shows up as an edit. An update
that changes nothing writes nothing: same version, no audit entry.

The write is one conditional UPDATE (`WHERE version = <expected> AND status <> ARCHIVED`) plus
the address, contact and audit rows, in one transaction: of two people saving the same
version, one wins and the other is told the customer is stale.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any, NoReturn
from uuid import UUID

from tortoise.exceptions import IntegrityError

from models import AuditAction, OrganizationKind, OrganizationStatus
from resolvers import audit, global_id, idempotency, sql
from resolvers.actors import Actor, Permission
from resolvers.atomic import atomic
from resolvers.customer_checks import duplicates_of
from resolvers.errors import (
    FieldError,
    Forbidden,
    InvalidInput,
    NotEditable,
    NotFound,
    StaleVersion,
)
from resolvers.organizations import get_organization, load_addresses, load_contacts
from resolvers.records import AddressRecord, ContactRecord, OrganizationRecord
from resolvers.validation import AddressDraft, ContactDraft, CustomerDraft, validate_customer
from resolvers.verification.checks import enqueue_verification
from settings import Settings

OPERATION = "updateCustomer"
# What a changed country re-checks (and so may re-normalize) although the client left it alone.
_COUNTRY_BOUND = frozenset({"registrationNumber", "taxId", "primaryContact.phone"})
_TOP = {
    "shortName": "short_name",
    "fullName": "full_name",
    "erpId": "erp_id",
    "registrationNumber": "registration_number",
    "taxId": "tax_id",
    "currency": "currency",
    "industry": "industry",
}
_ADDRESS = {
    "country": "country",
    "city": "city",
    "state": "state",
    "line1": "line1",
    "line2": "line2",
    "postalCode": "postal_code",
}
_CONTACT = {
    "firstName": "first_name",
    "lastName": "last_name",
    "role": "role",
    "email": "email",
    "phone": "phone",
}


@dataclass(frozen=True, slots=True)
class Updated:
    customer: OrganizationRecord
    # What the customer's address and contact are now, when this call knows them.
    address: AddressRecord | None = None
    contact: ContactRecord | None = None
    replayed: bool = False


def flatten(draft: CustomerDraft) -> dict[str, str | None]:
    """The form as dotted API paths and canonical text, in form order."""
    values: list[tuple[str, object]] = [(api, getattr(draft, name)) for api, name in _TOP.items()]
    for prefix, nested, names in (
        ("primaryAddress", draft.primary_address, _ADDRESS),
        ("primaryContact", draft.primary_contact, _CONTACT),
    ):
        if nested is not None:
            values += [(f"{prefix}.{api}", getattr(nested, name)) for api, name in names.items()]
    return audit.canonical(values)


def stored_draft(
    customer: OrganizationRecord, address: AddressRecord | None, contact: ContactRecord | None
) -> CustomerDraft:
    """The customer as a form, from its stored (canonical) values."""

    def copy(record: object, target: type[Any]) -> Any:
        return target(**{f.name: getattr(record, f.name) for f in fields(target)})

    return CustomerDraft(
        short_name=customer.short_name,
        full_name=customer.full_name,
        erp_id=customer.erp_id,
        registration_number=customer.registration_number,
        tax_id=customer.tax_id,
        currency=customer.currency,
        industry=customer.industry.value if customer.industry else None,
        primary_address=copy(address, AddressDraft) if address else None,
        primary_contact=copy(contact, ContactDraft) if contact else None,
    )


def _merge(stored: CustomerDraft, patch: CustomerDraft) -> CustomerDraft:
    """`patch`'s fields where it has them (None: left alone), `stored`'s elsewhere."""
    chosen = {
        f.name: getattr(patch, f.name)
        if getattr(patch, f.name) is not None
        else getattr(stored, f.name)
        for f in fields(CustomerDraft)
    }
    return CustomerDraft(**chosen)


def _written(
    stored: dict[str, str | None],
    normalized: dict[str, str | None],
    touched: set[str],
    country_changed: bool,
) -> dict[str, str | None]:
    """Per field: the normalized value where the client (or a new country) touched it, the
    stored one elsewhere."""
    return {
        path: value
        if path in touched or (country_changed and path in _COUNTRY_BOUND)
        else stored.get(path)
        for path, value in normalized.items()
    }


def _touched(patch: CustomerDraft) -> set[str]:
    sent = {api for api, name in _TOP.items() if getattr(patch, name) is not None}
    if patch.primary_address is not None:
        sent |= {f"primaryAddress.{api}" for api in _ADDRESS}
    if patch.primary_contact is not None:
        sent |= {f"primaryContact.{api}" for api in _CONTACT}
    return sent


async def _editable(actor: Actor, id: str) -> OrganizationRecord:
    """The customer, if the actor may correct it; answers exactly like approve otherwise."""
    org_id = global_id.decode_uuid(id, "Organization")
    customer = await get_organization(actor=actor, id=org_id) if org_id else None
    if customer is None or customer.kind is not OrganizationKind.CUSTOMER:
        raise NotFound("No such customer.", field=("id",))
    responsible = (
        actor.org_kind is OrganizationKind.DISTRIBUTOR or customer.parent_id == actor.org_id
    )
    if not (actor.can(Permission.UPDATE_CUSTOMER) and responsible):
        raise Forbidden("Your role does not allow this for this customer.")
    return customer


def _refuse_stale_or_archived(current: OrganizationRecord | None, changed: list[str]) -> NoReturn:
    if current is not None and current.status is OrganizationStatus.ARCHIVED:
        raise NotEditable("The customer is ARCHIVED and can no longer be changed.", field=("id",))
    what = f" Changed since: {', '.join(changed)}." if changed else ""
    version = current.version if current else "?"
    raise StaleVersion(
        f"Someone else changed this customer (now version {version}); reload it and redo "
        f"your changes.{what}",
        field=("expectedVersion",),
    )


_CHANGED_SINCE = """
SELECT "action", "changes" FROM "audit_entry"
WHERE "organization_id" = $1 AND "version" > $2 ORDER BY "version", "occurred_at"
"""


async def changed_since(customer_id: UUID, version: int) -> list[str]:
    """The fields (and "status") people changed after `version`, for the stale message."""
    found: list[str] = []
    for row in await sql.fetch(_CHANGED_SINCE, customer_id, version):
        names = (
            [c["field"] for c in json.loads(row["changes"])]
            if row["changes"]
            else (["status"] if row["action"] == AuditAction.STATUS_CHANGED.value else [])
        )
        found += [n for n in names if n not in found]
    return found


async def _duplicates(
    customer: OrganizationRecord, values: dict[str, str | None]
) -> list[FieldError]:
    assert customer.parent_id is not None  # a customer always has its reseller
    numbers = CustomerDraft(
        erp_id=values["erpId"],
        tax_id=values["taxId"],
        registration_number=values["registrationNumber"],
        primary_address=AddressDraft(country=values.get("primaryAddress.country")),
    )
    return await duplicates_of(customer.parent_id, numbers, excluding=customer.id)


class _Lost(Exception):
    """The conditional UPDATE matched nothing: rolls the transaction back."""


_UPDATE_ORG = f"""
UPDATE "organization" SET "short_name" = $3, "full_name" = $4, "erp_id" = $5,
    "registration_number" = $6, "tax_id" = $7, "currency" = $8, "industry" = $9,
    "registration_country" = $10, "updated_at" = $11, "version" = "version" + 1
WHERE "id" = $1 AND "version" = $2 AND "status" <> 'ARCHIVED'
RETURNING {sql.columns(OrganizationRecord.columns())}
"""


def _nested_update(table: str, names: dict[str, str]) -> str:
    sets = ", ".join(f'"{column}" = ${i + 2}' for i, column in enumerate(names.values()))
    return f'UPDATE "{table}" SET {sets} WHERE "organization_id" = $1'


_UPDATE_ADDRESS = _nested_update("address", _ADDRESS)
_UPDATE_CONTACT = _nested_update("contact", _CONTACT)


async def update_customer(
    *,
    actor: Actor,
    id: str,
    expected_version: int,
    patch: CustomerDraft,
    currencies: tuple[str, ...],
    idempotency_key: str | None = None,
    idempotency_ttl: int = 86400,
    request_id: str | None = None,
    verification: Settings | None = None,
) -> Updated:
    """`verification`: the settings that decide the tax-ID check; a changed tax ID starts a
    fresh one in the same transaction (None: no check)."""
    customer = await _editable(actor, id)
    value = idempotency_key.strip() if idempotency_key is not None else None
    if key_errors := idempotency.check_key(value):
        raise InvalidInput(key_errors)
    now = datetime.now(UTC)
    key = (
        idempotency.Key.of(
            scope=actor.org_id,
            operation=OPERATION,
            value=value,
            request=(customer.id, expected_version, patch),
        )
        if value is not None
        else None
    )
    if key is not None and await idempotency.find_replay(key, now=now, forget_expired=True):
        return Updated(customer, replayed=True)
    if customer.status is OrganizationStatus.ARCHIVED or expected_version != customer.version:
        _refuse_stale_or_archived(customer, await changed_since(customer.id, expected_version))

    addresses, contacts = await load_addresses([customer.id]), await load_contacts([customer.id])
    address, contact = addresses.get(customer.id), contacts.get(customer.id)
    stored = stored_draft(customer, address, contact)
    result = validate_customer(_merge(stored, patch), currencies=currencies)
    if result.errors:
        raise InvalidInput(list(result.errors))
    before = flatten(stored)
    country_changed = (
        patch.primary_address is not None
        and result.normalized.primary_address is not None
        and result.normalized.primary_address.country != before.get("primaryAddress.country")
    )
    after = _written(before, flatten(result.normalized), _touched(patch), country_changed)
    changes = audit.diff(before, after)
    if not changes:
        return Updated(customer, address=address, contact=contact)
    if any(
        c.field in ("erpId", "taxId", "registrationNumber", "primaryAddress.country")
        for c in changes
    ):
        if duplicates := await _duplicates(customer, after):
            raise InvalidInput(duplicates)

    entry = audit.Entry(
        organization_id=customer.id,
        action=AuditAction.UPDATED,
        version=customer.version + 1,
        occurred_at=now,
        actor=actor,
        request_id=request_id,
        changes=changes,
    )
    extra = audit.rows(entry)
    if key is not None:
        extra.append(idempotency.remember(key, result_id=customer.id, now=now, ttl=idempotency_ttl))
    changed = {c.field for c in changes}
    new_address = _nested(after, "primaryAddress", _ADDRESS)
    new_contact = _nested(after, "primaryContact", _CONTACT)

    async def write() -> list[dict[str, Any]]:
        won = await sql.fetch(
            _UPDATE_ORG,
            customer.id,
            expected_version,
            *(after[api] for api in _TOP),
            after.get("primaryAddress.country"),
            now,
        )
        if not won:
            raise _Lost
        if any(f.startswith("primaryAddress.") for f in changed):
            await sql.fetch(_UPDATE_ADDRESS, customer.id, *new_address.values())
        if any(f.startswith("primaryContact.") for f in changed):
            await sql.fetch(_UPDATE_CONTACT, customer.id, *new_contact.values())
        await sql.insert(*extra)
        if verification is not None and "taxId" in changed:
            await enqueue_verification(
                organization_id=customer.id, tax_id=after["taxId"], settings=verification
            )
        return won

    try:
        won = await atomic(write)
    except _Lost:
        current = await get_organization(actor=actor, id=customer.id)
        _refuse_stale_or_archived(current, await changed_since(customer.id, expected_version))
    except IntegrityError:
        # Rolled back: a concurrent write took one of the numbers, or the same key.
        if duplicates := await _duplicates(customer, after):
            raise InvalidInput(duplicates) from None
        if key is not None and await idempotency.find_replay(key, now=now):
            current = await get_organization(actor=actor, id=customer.id)
            return Updated(current or customer, replayed=True)
        raise
    record = OrganizationRecord.from_raw(won[0])
    return Updated(
        record,
        address=replace(address, **new_address) if address else None,
        contact=replace(contact, **new_contact) if contact else None,
    )


def _nested(values: dict[str, str | None], prefix: str, names: dict[str, str]) -> dict[str, Any]:
    return {column: values.get(f"{prefix}.{api}") for api, column in names.items()}
