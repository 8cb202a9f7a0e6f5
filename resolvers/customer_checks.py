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


async def duplicates_of(
    reseller: UUID, data: CustomerDraft, *, excluding: UUID | None = None
) -> list[FieldError]:
    """Friendly DUPLICATE errors against the reseller's live customers (but `excluding`, the
    one being corrected); the partial unique indexes are what actually guarantee it.

    Only called for a valid form, so every number compared here is present."""
    address = data.primary_address
    country = address.country if address else None
    numbers = (reseller, data.erp_id, data.tax_id, country, data.registration_number)
    if excluding is None:
        rows = await sql.fetch(_DUPLICATES_SQL, *numbers)
    else:
        rows = await sql.fetch(_DUPLICATES_OF_OTHERS_SQL, *numbers, excluding)
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
