"""Primary contact: names, role, email and phone (per address country), display form."""

from dataclasses import replace

import pytest

from resolvers.errors import ErrorCode as C
from resolvers.validation import (
    AddressDraft,
    ContactDraft,
    CustomerDraft,
    ValidationResult,
    format_phone,
    validate_customer,
)

CONTACT = ContactDraft("Jan", "Jansen", "CEO", "jan@copaco.nl", "+31402506000")
ADDRESSES = {
    "NL": AddressDraft(country="NL", city="Eindhoven", line1="Hoevenweg 21", postal_code="5652AW"),
    "BE": AddressDraft(country="BE", city="Brussel", line1="Wetstraat 16", postal_code="1000"),
    "DE": AddressDraft(country="DE", city="München", line1="Marienplatz 8", postal_code="80331"),
    "FR": AddressDraft(country="FR", city="Paris", line1="55 Rue du Faubourg", postal_code="75008"),
    "GB": AddressDraft(country="GB", city="London", line1="10 Downing St", postal_code="SW1A2AA"),
    "US": AddressDraft(
        country="US",
        city="Mountain View",
        state="CA",
        line1="1600 Amphitheatre Pkwy",
        postal_code="94043",
    ),
}


def run(contact: ContactDraft, country: str = "NL") -> ValidationResult:
    draft = CustomerDraft(
        short_name="Acme",
        full_name="Acme Ltd",
        erp_id="1",
        registration_number="1",
        tax_id="1",
        currency="EUR",
        industry="COMMERCIAL",
        primary_address=ADDRESSES[country],
        primary_contact=contact,
    )
    return validate_customer(draft, currencies=["EUR"])


def contact_errors(result: ValidationResult) -> list[tuple[str, C]]:
    return [
        (e.field[1], e.code)
        for e in result.errors
        if e.field and e.field[0] == "primaryContact" and len(e.field) == 2
    ]


def normalized(result: ValidationResult) -> ContactDraft:
    assert result.normalized.primary_contact is not None
    return result.normalized.primary_contact


@pytest.mark.parametrize(
    ("country", "raw", "code", "stored"),
    [
        ("NL", "+31(0)40 250 6000", None, "+31402506000"),
        ("NL", "040 250 6000", None, "+31402506000"),
        ("NL", "0031 40 250 6000", None, "+31402506000"),
        ("NL", "+31 6 12345678", None, "+31612345678"),
        ("NL", "040 250 600", C.INVALID_PHONE, "040 250 600"),
        ("NL", "12345", C.INVALID_PHONE, "12345"),
        ("NL", "not a phone", C.INVALID_PHONE, "not a phone"),
        ("BE", "02 555 12 12", None, "+3225551212"),
        ("BE", "+32 2 555 12 12", None, "+3225551212"),
        ("BE", "02 555", C.INVALID_PHONE, "02 555"),
        ("DE", "030 901820", None, "+4930901820"),
        ("DE", "+49 (0)30 901820", None, "+4930901820"),
        ("DE", "0049 1", C.INVALID_PHONE, "0049 1"),
        ("FR", "01 42 68 53 00", None, "+33142685300"),
        ("FR", "01 42 68 53", C.INVALID_PHONE, "01 42 68 53"),
        ("GB", "020 7946 0958", None, "+442079460958"),
        ("GB", "+44 (0)20 7946 0958", None, "+442079460958"),
        ("GB", "020 7946", C.INVALID_PHONE, "020 7946"),
        ("US", "(650) 253-0000", None, "+16502530000"),
        ("US", "+1 650 253 0000", None, "+16502530000"),
        ("US", "(123) 253-0000", C.INVALID_PHONE, "(123) 253-0000"),
        # A number from another country is fine when it carries its country code.
        ("US", "+31 40 250 6000", None, "+31402506000"),
        ("NL", None, C.REQUIRED, None),
        ("NL", "+31\x0040 250 6000", C.INVALID_FORMAT, "+31\x0040 250 6000"),
    ],
)
def test_phone(country: str, raw: str | None, code: C | None, stored: str | None) -> None:
    result = run(replace(CONTACT, phone=raw), country)
    assert contact_errors(result) == ([("phone", code)] if code else [])
    assert normalized(result).phone == stored


@pytest.mark.parametrize(
    ("raw", "code", "stored"),
    [
        ("Jan@Copaco.NL", None, "Jan@copaco.nl"),
        ("  jan.jansen+crm@COPACO.nl ", None, "jan.jansen+crm@copaco.nl"),
        ("JAN@EXAMPLE.COM", None, "JAN@example.com"),
        ("jan@", C.INVALID_EMAIL, "jan@"),
        ("jan", C.INVALID_EMAIL, "jan"),
        ("jan@copaco", C.INVALID_EMAIL, "jan@copaco"),
        ("jan jansen@copaco.nl", C.INVALID_EMAIL, "jan jansen@copaco.nl"),
        ("jan@@copaco.nl", C.INVALID_EMAIL, "jan@@copaco.nl"),
        (
            "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 61,
            None,
            "a" * 64 + "@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 61,
        ),
        ("a" * 250 + "@x.nl", C.TOO_LONG, "a" * 250 + "@x.nl"),
        ("", C.REQUIRED, None),
    ],
)
def test_email(raw: str, code: C | None, stored: str | None) -> None:
    result = run(replace(CONTACT, email=raw))
    assert contact_errors(result) == ([("email", code)] if code else [])
    assert normalized(result).email == stored


@pytest.mark.parametrize(
    ("field", "raw", "code", "stored"),
    [
        ("first_name", " Jan ", None, "Jan"),
        ("first_name", "J", None, "J"),
        ("first_name", "x" * 50, None, "x" * 50),
        ("first_name", "x" * 51, C.TOO_LONG, "x" * 51),
        ("first_name", None, C.REQUIRED, None),
        ("last_name", "van der Berg", None, "van der Berg"),
        ("last_name", "x" * 51, C.TOO_LONG, "x" * 51),
        ("last_name", "Jans\u200ben", C.INVALID_FORMAT, "Jans\u200ben"),
        ("last_name", "", C.REQUIRED, None),
        ("role", "Chief Executive Officer", None, "Chief Executive Officer"),
        ("role", "x" * 64, None, "x" * 64),
        ("role", "x" * 65, C.TOO_LONG, "x" * 65),
        ("role", "\u00a0", C.REQUIRED, None),
    ],
)
def test_names_and_role(field: str, raw: str | None, code: C | None, stored: str | None) -> None:
    api_name = {"first_name": "firstName", "last_name": "lastName", "role": "role"}[field]
    result = run(replace(CONTACT, **{field: raw}))
    assert contact_errors(result) == ([(api_name, code)] if code else [])
    assert getattr(normalized(result), field) == stored


def test_contact_errors_in_form_order() -> None:
    contact = ContactDraft(first_name="", last_name="x" * 51, role=None, email="x", phone="1")
    assert contact_errors(run(contact)) == [
        ("firstName", C.REQUIRED),
        ("lastName", C.TOO_LONG),
        ("role", C.REQUIRED),
        ("email", C.INVALID_EMAIL),
        ("phone", C.INVALID_PHONE),
    ]


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+31402506000", "+31 40 250 6000"),
        ("+3225551212", "+32 2 555 12 12"),
        ("+4930901820", "+49 30 901820"),
        ("+33142685300", "+33 1 42 68 53 00"),
        ("+442079460958", "+44 20 7946 0958"),
        ("+16502530000", "+1 650-253-0000"),
        ("garbage", "garbage"),
    ],
)
def test_format_phone(e164: str, shown: str) -> None:
    assert format_phone(e164) == shown
