"""validate_customer end to end: the golden Copaco form, a form full of mistakes, text rules,
currency, and the skipping of country-dependent checks when the country is wrong."""

from dataclasses import replace

import pytest

from resolvers.errors import ErrorCode as C
from resolvers.validation import (
    AddressDraft,
    ContactDraft,
    CustomerDraft,
    ValidationResult,
    validate_customer,
)

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "DKK", "NOK", "SEK", "PLN")

GOLDEN = CustomerDraft(
    short_name="Copaco",
    full_name="Copaco Netherlands B.V.",
    erp_id="123",
    registration_number="17048595",
    tax_id="NL006486253B01",
    currency="EUR",
    industry="NON_PROFIT",
    primary_address=AddressDraft(
        country="NL", city="Eindhoven", line1="Hoevenweg 21", postal_code="5652AW"
    ),
    primary_contact=ContactDraft(
        first_name="Jan",
        last_name="Jansen",
        role="CEO",
        email="Jan@Copaco.NL",
        phone="+31(0)40 250 6000",
    ),
)


def run(draft: CustomerDraft = GOLDEN) -> ValidationResult:
    return validate_customer(draft, currencies=CURRENCIES)


def codes(result: ValidationResult) -> list[tuple[tuple[str, ...] | None, C]]:
    return [(e.field, e.code) for e in result.errors]


def test_golden_copaco_passes_and_is_normalized() -> None:
    result = run()
    assert result.ok
    assert result.errors == ()
    assert result.normalized == CustomerDraft(
        short_name="Copaco",
        full_name="Copaco Netherlands B.V.",
        erp_id="123",
        registration_number="17048595",
        tax_id="NL006486253B01",
        currency="EUR",
        industry="NON_PROFIT",
        primary_address=AddressDraft(
            country="NL",
            city="Eindhoven",
            state=None,
            line1="Hoevenweg 21",
            line2=None,
            postal_code="5652 AW",
        ),
        primary_contact=ContactDraft(
            first_name="Jan",
            last_name="Jansen",
            role="CEO",
            email="Jan@copaco.nl",
            phone="+31402506000",
        ),
    )


def test_form_full_of_mistakes_reports_everything_in_form_order() -> None:
    draft = CustomerDraft(
        short_name="   ",
        full_name="123 !!",
        erp_id="x" * 65,
        registration_number="1234",
        tax_id="DE136695976",
        currency="XYZ",
        industry=None,
        primary_address=AddressDraft(
            country="nl", city="", state=None, line1="Main\x00street", postal_code="1234"
        ),
        primary_contact=ContactDraft(
            first_name="J" * 51, last_name=None, role="CEO", email="jan@", phone="12345"
        ),
    )
    result = run(draft)
    assert not result.ok
    assert codes(result) == [
        (("shortName",), C.REQUIRED),
        (("fullName",), C.INVALID_FORMAT),
        (("erpId",), C.TOO_LONG),
        (("registrationNumber",), C.INVALID_FORMAT),
        (("taxId",), C.COUNTRY_MISMATCH),
        (("currency",), C.UNSUPPORTED_CURRENCY),
        (("industry",), C.REQUIRED),
        (("primaryAddress", "city"), C.REQUIRED),
        (("primaryAddress", "line1"), C.INVALID_FORMAT),
        (("primaryAddress", "postalCode"), C.INVALID_FORMAT),
        (("primaryContact", "firstName"), C.TOO_LONG),
        (("primaryContact", "lastName"), C.REQUIRED),
        (("primaryContact", "email"), C.INVALID_EMAIL),
        (("primaryContact", "phone"), C.INVALID_PHONE),
    ]
    # Passed fields are canonical, failed ones trimmed input, missing ones None.
    assert result.normalized.short_name is None
    assert result.normalized.tax_id == "DE136695976"
    assert result.normalized.primary_address is not None
    assert result.normalized.primary_address.country == "NL"
    assert result.normalized.primary_contact is not None
    assert result.normalized.primary_contact.role == "CEO"


def test_missing_address_and_contact_are_required() -> None:
    result = run(replace(GOLDEN, primary_address=None, primary_contact=None))
    assert codes(result) == [
        (("primaryAddress",), C.REQUIRED),
        (("primaryContact",), C.REQUIRED),
    ]
    assert result.normalized.primary_address is None
    # Without a country the tax and registration numbers cannot be judged: no noise.
    assert result.normalized.tax_id == "NL006486253B01"


def test_everything_missing() -> None:
    result = run(CustomerDraft())
    assert codes(result) == [
        (("shortName",), C.REQUIRED),
        (("fullName",), C.REQUIRED),
        (("erpId",), C.REQUIRED),
        (("registrationNumber",), C.REQUIRED),
        (("taxId",), C.REQUIRED),
        (("currency",), C.REQUIRED),
        (("industry",), C.REQUIRED),
        (("primaryAddress",), C.REQUIRED),
        (("primaryContact",), C.REQUIRED),
    ]


def test_invalid_country_skips_country_dependent_checks() -> None:
    address = replace(GOLDEN.primary_address, country="UK", postal_code="not a code")
    contact = replace(GOLDEN.primary_contact, phone="040 250 6000")
    draft = replace(
        GOLDEN,
        primary_address=address,
        primary_contact=contact,
        tax_id="garbage",
        registration_number="garbage",
    )
    result = run(draft)
    assert codes(result) == [(("primaryAddress", "country"), C.UNKNOWN_COUNTRY)]
    assert "Use GB" in result.errors[0].message
    assert result.normalized.primary_address.postal_code == "not a code"


def test_invalid_country_still_reports_required_fields() -> None:
    address = AddressDraft(country="XX", city=" ", line1=None)
    result = run(replace(GOLDEN, primary_address=address, tax_id=""))
    assert codes(result) == [
        (("taxId",), C.REQUIRED),
        (("primaryAddress", "country"), C.UNKNOWN_COUNTRY),
        (("primaryAddress", "city"), C.REQUIRED),
        (("primaryAddress", "line1"), C.REQUIRED),
    ]


@pytest.mark.parametrize(
    ("field", "value", "code", "stored"),
    [
        ("short_name", "  Copaco  ", None, "Copaco"),
        ("short_name", "C", None, "C"),
        ("short_name", "x" * 64, None, "x" * 64),
        ("short_name", "x" * 65, C.TOO_LONG, "x" * 65),
        ("short_name", "\t\n", C.REQUIRED, None),
        ("short_name", "Co\x00paco", C.INVALID_FORMAT, "Co\x00paco"),
        ("short_name", "Co\x1fpaco", C.INVALID_FORMAT, "Co\x1fpaco"),
        ("short_name", "Co\x7fpaco", C.INVALID_FORMAT, "Co\x7fpaco"),
        ("short_name", "Copaco\u202e", C.INVALID_FORMAT, "Copaco\u202e"),
        ("short_name", "Co\npaco", C.INVALID_FORMAT, "Co\npaco"),
        ("short_name", "Copaco\n", None, "Copaco"),
        ("short_name", "Copaco\x00", C.INVALID_FORMAT, "Copaco\x00"),
        ("short_name", "Cafe\u0301", None, "Café"),
        ("full_name", "AB", None, "AB"),
        ("full_name", "A", C.TOO_SHORT, "A"),
        ("full_name", "x" * 256, C.TOO_LONG, "x" * 256),
        ("full_name", "123 456", C.INVALID_FORMAT, "123 456"),
        ("full_name", "-.-", C.INVALID_FORMAT, "-.-"),
        ("full_name", "3M Nederland B.V.", None, "3M Nederland B.V."),
        ("full_name", "Ümit Bakkerij", None, "Ümit Bakkerij"),
        ("erp_id", " 123 ", None, "123"),
        ("erp_id", "", C.REQUIRED, None),
        ("erp_id", "x" * 65, C.TOO_LONG, "x" * 65),
    ],
)
def test_company_text_rules(field: str, value: str, code: C | None, stored: str | None) -> None:
    result = run(replace(GOLDEN, **{field: value}))
    assert [e.code for e in result.errors] == ([code] if code else [])
    assert getattr(result.normalized, field) == stored


def test_length_messages_give_the_limit() -> None:
    result = run(replace(GOLDEN, short_name="x" * 65, full_name="A"))
    assert "64" in result.errors[0].message
    assert "2" in result.errors[1].message


@pytest.mark.parametrize(
    ("value", "code", "stored"),
    [
        ("EUR", None, "EUR"),
        ("eur", None, "EUR"),
        (" gbp ", None, "GBP"),
        ("PLN", None, "PLN"),
        ("JPY", C.UNSUPPORTED_CURRENCY, "JPY"),
        ("XYZ", C.UNSUPPORTED_CURRENCY, "XYZ"),
        ("Euro", C.UNSUPPORTED_CURRENCY, "Euro"),
        ("€", C.UNSUPPORTED_CURRENCY, "€"),
        ("", C.REQUIRED, None),
    ],
)
def test_currency(value: str, code: C | None, stored: str | None) -> None:
    result = run(replace(GOLDEN, currency=value))
    assert [e.code for e in result.errors] == ([code] if code else [])
    assert result.normalized.currency == stored


def test_currency_messages_list_supported_and_suggest_codes() -> None:
    result = run(replace(GOLDEN, currency="JPY"))
    assert "EUR, GBP" in result.errors[0].message
    assert "Yen" in result.errors[0].message
    result = run(replace(GOLDEN, currency="euro"))
    assert "use the code EUR" in result.errors[0].message


def test_currencies_are_configurable() -> None:
    result = validate_customer(replace(GOLDEN, currency="jpy"), currencies=["JPY"])
    assert result.ok
    assert result.normalized.currency == "JPY"
    assert codes(validate_customer(GOLDEN, currencies=["jpy"])) == [
        (("currency",), C.UNSUPPORTED_CURRENCY)
    ]


@pytest.mark.parametrize("industry", ["COMMERCIAL", "EDUCATION", "GOVERNMENT", "NON_PROFIT"])
def test_industry_passes_through(industry: str) -> None:
    result = run(replace(GOLDEN, industry=industry))
    assert result.ok
    assert result.normalized.industry == industry


def test_industry_required() -> None:
    assert codes(run(replace(GOLDEN, industry=None))) == [(("industry",), C.REQUIRED)]


def test_stored_lengths_are_the_columns() -> None:
    """The last length check measures canonical values against what the columns hold."""
    import re

    from models import Address, Contact, Organization
    from resolvers.validation.customer import STORED_LENGTHS

    models = {"primaryAddress": Address, "primaryContact": Contact}
    for path, most in STORED_LENGTHS.items():
        model = models.get(path[0], Organization)
        column = re.sub(r"(?<!^)(?=[A-Z])", "_", path[-1]).lower()
        assert model._meta.fields_map[column].max_length == most, path


@pytest.mark.parametrize(
    ("field", "value"),
    [("registration_number", "ﬄ" * 64), ("erp_id", "ﬄ" * 30), ("short_name", "x" * 64)],
)
def test_lengths_are_checked_after_normalizing(field: str, value: str) -> None:
    """NFKC makes one "ﬄ" three letters: 64 of them passed and grew to 192."""
    address = AddressDraft(country="IE", city="Dublin", line1="1 Main Street")
    draft = replace(GOLDEN, tax_id="IE6388047V", primary_address=address, **{field: value})
    result = validate_customer(draft, currencies=CURRENCIES)
    stored = getattr(result.normalized, field)
    too_long = [e for e in result.errors if e.code is C.TOO_LONG]
    assert bool(too_long) == (len(stored) > 64), (stored, result.errors)
