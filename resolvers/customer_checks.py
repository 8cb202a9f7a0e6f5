"""What createCustomer checks before writing, also run alone by validateCustomer: the caller's
role, the reseller the customer goes under, every form rule, and duplicate numbers."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from models import Organization, OrganizationKind
from resolvers import global_id, sql
from resolvers.actors import Actor, Permission
from resolvers.errors import ErrorCode, FieldError, Forbidden
from resolvers.tenancy import visible
from resolvers.validation import CustomerDraft, validate_customer

RESELLER_FIELD = ("resellerId",)


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
    reseller, reseller_errors = await target_reseller(actor, reseller_id)
    result = validate_customer(draft, currencies=currencies)
    errors = [*reseller_errors, *result.errors]
    if duplicates and reseller is not None and not result.errors:
        errors += await duplicates_of(reseller, result.normalized)
    return Checked(result.normalized, reseller, errors)


async def target_reseller(
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


# Archived customers' numbers are free again (the partial unique indexes ignore them too).
_DUPLICATES_SQL = """
SELECT "erp_id", "tax_id", "registration_country", "registration_number" FROM "organization"
WHERE "parent_id" = $1 AND "status" <> 'ARCHIVED'
  AND ("erp_id" = $2 OR "tax_id" = $3
       OR ("registration_country" = $4 AND "registration_number" = $5))
"""
_DUPLICATES_OF_OTHERS_SQL = _DUPLICATES_SQL + '  AND "id" <> $6\n'


# The numbers that make two customers of one reseller the same customer: (input field, the
# words for it in a message, the organization columns that hold it). duplicates_of compares
# them with the table; an import compares them between the rows of one file.
NUMBERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("erpId", "ERP ID", ("erp_id",)),
    ("taxId", "tax ID", ("tax_id",)),
    (
        "registrationNumber",
        "registration number",
        ("registration_country", "registration_number"),
    ),
)


def _columns(data: CustomerDraft) -> dict[str, object]:
    address = data.primary_address
    return {
        "erp_id": data.erp_id,
        "tax_id": data.tax_id,
        "registration_country": address.country if address else None,
        "registration_number": data.registration_number,
    }


def numbers_of(data: CustomerDraft) -> list[tuple[str, str, tuple[object, ...]]]:
    """(field, label, value) of each number a normalized form holds, in canonical form (the
    stored spelling), so two spellings of one tax ID are one value."""
    columns = _columns(data)
    found = []
    for field, label, names in NUMBERS:
        value = tuple(columns[name] for name in names)
        if all(part is not None for part in value):
            found.append((field, label, value))
    return found


async def duplicates_of(
    reseller: UUID, data: CustomerDraft, *, excluding: UUID | None = None
) -> list[FieldError]:
    """Friendly DUPLICATE errors against the reseller's live customers (but `excluding`, the
    one being corrected); the partial unique indexes are what actually guarantee it.

    Only called for a valid form, so every number compared here is present."""
    columns = _columns(data)
    numbers = (reseller, *(columns[name] for name in _COLUMN_ORDER))
    if excluding is None:
        rows = await sql.fetch(_DUPLICATES_SQL, *numbers)
    else:
        rows = await sql.fetch(_DUPLICATES_OF_OTHERS_SQL, *numbers, excluding)
    errors: list[FieldError] = []
    for field, label, names in NUMBERS:
        value = tuple(columns[name] for name in names)
        if any(tuple(row[name] for name in names) == value for row in rows):
            message = f"Another customer of this reseller already has this {label}."
            errors.append(FieldError((field,), ErrorCode.DUPLICATE, message))
    return errors


# The order of _DUPLICATES_SQL's parameters after the reseller.
_COLUMN_ORDER = ("erp_id", "tax_id", "registration_country", "registration_number")
