"""`validate_customer`: runs every check of the create-customer form and reports all
problems at once, in form order, together with the normalized values.

The address country is validated first because the registration number, tax id, postal
code, state and phone rules depend on it; errors are sorted back into form order after.
Without a valid country, what can be judged still is: a tax id carrying a VAT prefix by that
prefix's rules, a phone in international format as such.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from resolvers.errors import ErrorCode, FieldError

from .address import check_address
from .contact import EMAIL_MAX, check_email, check_phone
from .currency import check_currency
from .drafts import AddressDraft, ContactDraft, CustomerDraft, ValidationResult
from .registration import check_registration_number
from .tax import check_tax_id, check_tax_id_by_prefix
from .text import Checked, Path, clean_text, fail, has_letter

FORM_ORDER: tuple[Path, ...] = (
    ("shortName",),
    ("fullName",),
    ("erpId",),
    ("registrationNumber",),
    ("taxId",),
    ("currency",),
    ("industry",),
    ("primaryAddress",),
    ("primaryAddress", "country"),
    ("primaryAddress", "city"),
    ("primaryAddress", "state"),
    ("primaryAddress", "line1"),
    ("primaryAddress", "line2"),
    ("primaryAddress", "postalCode"),
    ("primaryContact",),
    ("primaryContact", "firstName"),
    ("primaryContact", "lastName"),
    ("primaryContact", "role"),
    ("primaryContact", "email"),
    ("primaryContact", "phone"),
)
_RANK = {path: rank for rank, path in enumerate(FORM_ORDER)}

# The longest value each field's column holds (tests/unit compares them with the models).
# The checks above measure a field before its canonical form is made, and making it can
# lengthen it: NFKC turns "ﬄ" into "ffl", upper-casing "ß" into "SS", IDNA a domain into
# punycode. 64 × "ﬄ" passed as a registration number and grew to 192 characters, which
# SQLite stored and PostgreSQL refused with a 500; so every canonical value is measured again.
STORED_LENGTHS: dict[Path, int] = {
    ("shortName",): 64,
    ("fullName",): 255,
    ("erpId",): 64,
    ("registrationNumber",): 64,
    ("taxId",): 64,
    ("currency",): 3,
    ("primaryAddress", "country"): 2,
    ("primaryAddress", "city"): 100,
    ("primaryAddress", "state"): 100,
    ("primaryAddress", "line1"): 200,
    ("primaryAddress", "line2"): 200,
    ("primaryAddress", "postalCode"): 20,
    ("primaryContact", "firstName"): 50,
    ("primaryContact", "lastName"): 50,
    ("primaryContact", "role"): 64,
    ("primaryContact", "email"): 254,
    ("primaryContact", "phone"): 20,
}
_CAPITAL = re.compile(r"(?<!^)(?=[A-Z])")


def _canonical(draft: CustomerDraft, path: Path) -> object:
    value: object = draft
    for name in path:  # "postalCode" is the draft's postal_code
        value = getattr(value, _CAPITAL.sub("_", name).lower(), None)
    return value


def _too_long_once_normalized(
    normalized: CustomerDraft, errors: Collection[FieldError]
) -> list[FieldError]:
    failed = {e.field for e in errors}
    found = []
    for path, most in STORED_LENGTHS.items():
        value = _canonical(normalized, path)
        if path not in failed and isinstance(value, str) and len(value) > most:
            found.append(
                FieldError(
                    path,
                    ErrorCode.TOO_LONG,
                    f"Once normalized this is {len(value)} characters long; it may be at most "
                    f"{most}.",
                )
            )
    return found


def _form_rank(error: FieldError) -> int:
    return _RANK.get(error.field or (), len(FORM_ORDER))


def _full_name(raw: str | None) -> Checked:
    path = ("fullName",)
    checked = clean_text(raw, path, "Full name", min_len=2, max_len=255)
    if checked.ok and not has_letter(str(checked.value)):
        return fail(
            path,
            ErrorCode.INVALID_FORMAT,
            "Full name must contain letters, not only punctuation or digits.",
            checked.value,
        )
    return checked


def _contact(draft: ContactDraft, region: str | None) -> tuple[ContactDraft, list[Checked]]:
    def path(name: str) -> Path:
        return ("primaryContact", name)

    first = clean_text(draft.first_name, path("firstName"), "First name", max_len=50)
    last = clean_text(draft.last_name, path("lastName"), "Last name", max_len=50)
    role = clean_text(draft.role, path("role"), "Role", max_len=64)
    email = clean_text(draft.email, path("email"), "Email address", max_len=EMAIL_MAX)
    if email.ok:
        email = check_email(str(email.value), path("email"))
    phone = clean_text(draft.phone, path("phone"), "Phone number", max_len=40)
    if phone.ok:
        phone = check_phone(str(phone.value), region, path("phone"))
    normalized = ContactDraft(first.value, last.value, role.value, email.value, phone.value)
    return normalized, [first, last, role, email, phone]


def validate_customer(draft: CustomerDraft, *, currencies: Collection[str]) -> ValidationResult:
    """Validate and normalize the whole form; never raises for bad input."""
    errors: list[FieldError] = []

    address: AddressDraft | None = None
    country: str | None = None
    if draft.primary_address is None:
        errors.append(
            FieldError(("primaryAddress",), ErrorCode.REQUIRED, "Primary address is required.")
        )
    else:
        address, address_errors, country = check_address(draft.primary_address)
        errors.extend(address_errors)

    short_name = clean_text(draft.short_name, ("shortName",), "Short name", max_len=64)
    full_name = _full_name(draft.full_name)
    erp_id = clean_text(draft.erp_id, ("erpId",), "ERP ID", max_len=64)

    registration = clean_text(
        draft.registration_number, ("registrationNumber",), "Registration number", max_len=64
    )
    if registration.ok and country is not None:
        registration = check_registration_number(
            str(registration.value), country, ("registrationNumber",)
        )
    tax_id = clean_text(draft.tax_id, ("taxId",), "Tax ID", max_len=64)
    if tax_id.ok:
        tax_id = (
            check_tax_id(str(tax_id.value), country, ("taxId",))
            if country is not None
            else check_tax_id_by_prefix(str(tax_id.value), ("taxId",))
        )

    currency = clean_text(draft.currency, ("currency",), "Currency", max_len=64)
    if currency.ok:
        currency = check_currency(str(currency.value), currencies, ("currency",))

    # Industry arrives as a GraphQL enum value; only its absence can be wrong here.
    industry = draft.industry
    if industry is None or (isinstance(industry, str) and not industry.strip()):
        industry = None
        errors.append(FieldError(("industry",), ErrorCode.REQUIRED, "Industry is required."))

    contact: ContactDraft | None = None
    if draft.primary_contact is None:
        errors.append(
            FieldError(("primaryContact",), ErrorCode.REQUIRED, "Primary contact is required.")
        )
    else:
        contact, contact_checks = _contact(draft.primary_contact, country)
        errors.extend(c.error for c in contact_checks if c.error is not None)

    company = (short_name, full_name, erp_id, registration, tax_id, currency)
    errors.extend(c.error for c in company if c.error is not None)

    normalized = CustomerDraft(
        short_name=short_name.value,
        full_name=full_name.value,
        erp_id=erp_id.value,
        registration_number=registration.value,
        tax_id=tax_id.value,
        currency=currency.value,
        industry=industry,
        primary_address=address,
        primary_contact=contact,
    )
    errors.extend(_too_long_once_normalized(normalized, errors))
    # list.sort is stable, so errors on one path keep the order they were found in.
    errors.sort(key=_form_rank)
    return ValidationResult(normalized=normalized, errors=tuple(errors))
