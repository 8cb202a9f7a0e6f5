"""Tax IDs (VAT / EIN) and registration numbers per address country, via validate_customer."""

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

# A valid address per country, so the only errors left are the ones under test.
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
    "GR": AddressDraft(country="GR", city="Athens", line1="Odos 1", postal_code="10558"),
    "CH": AddressDraft(country="CH", city="Bern", line1="Bundesplatz 3", postal_code="3005"),
    "AE": AddressDraft(country="AE", city="Dubai", state="Dubai", line1="Sheikh Zayed Rd 1"),
}
VALID_TAX = {
    "NL": "NL006486253B01",
    "BE": "BE0403019261",
    "DE": "DE136695976",
    "FR": "FR40303265045",
    "GB": "GB980780684",
    "US": "04-2103594",
    "GR": "EL094259216",
    "CH": "CHE-107.787.577 MWST",
    "AE": "100123456700003",
}
VALID_REG = {
    "NL": "17048595",
    "BE": "0403019261",
    "DE": "München HRB 123456",
    "FR": "732829320",
    "GB": "01234567",
    "US": "C0806592",
    "GR": "123",
    "CH": "CHE-100.155.212",
    "AE": "12345",
}


def draft(country: str, **changes: str) -> CustomerDraft:
    base = CustomerDraft(
        short_name="Acme",
        full_name="Acme Ltd",
        erp_id="1",
        currency="EUR",
        industry="COMMERCIAL",
        tax_id=VALID_TAX[country],
        registration_number=VALID_REG[country],
        primary_address=ADDRESSES[country],
        primary_contact=ContactDraft("Ann", "Lee", "CFO", "ann@example.com", "+31402506000"),
    )
    return replace(base, **changes)


def run(d: CustomerDraft) -> ValidationResult:
    return validate_customer(d, currencies=["EUR"])


def field_codes(result: ValidationResult, name: str) -> list[C]:
    return [e.code for e in result.errors if e.field == (name,)]


@pytest.mark.parametrize(
    ("country", "raw", "code", "stored"),
    [
        ("NL", "NL006486253B01", None, "NL006486253B01"),
        ("NL", "NL 0064.86.253.B01", None, "NL006486253B01"),
        ("NL", "006486253B01", None, "NL006486253B01"),
        ("NL", "nl006486253b01", None, "NL006486253B01"),
        ("NL", "NL-0064-86-253-B01", None, "NL006486253B01"),
        ("NL", "ＮＬ００６４８６２５３Ｂ０１", None, "NL006486253B01"),
        ("NL", "NL006486254B01", C.INVALID_CHECKSUM, "NL006486254B01"),
        ("NL", "NL12", C.INVALID_FORMAT, "NL12"),
        ("NL", "DE136695976", C.COUNTRY_MISMATCH, "DE136695976"),
        ("NL", "BE0403019261", C.COUNTRY_MISMATCH, "BE0403019261"),
        ("BE", "BE0403019261", None, "BE0403019261"),
        ("BE", "0403.019.261", None, "BE0403019261"),
        ("BE", "BE 403 019 261", None, "BE0403019261"),
        ("BE", "BE0403019262", C.INVALID_CHECKSUM, "BE0403019262"),
        ("BE", "BE12345", C.INVALID_FORMAT, "BE12345"),
        ("BE", "NL006486253B01", C.COUNTRY_MISMATCH, "NL006486253B01"),
        ("DE", "DE136695976", None, "DE136695976"),
        ("DE", "136 695 976", None, "DE136695976"),
        ("DE", "DE136695977", C.INVALID_CHECKSUM, "DE136695977"),
        ("DE", "DE12345", C.INVALID_FORMAT, "DE12345"),
        ("DE", "FR40303265045", C.COUNTRY_MISMATCH, "FR40303265045"),
        ("FR", "FR 40 303 265 045", None, "FR40303265045"),
        ("FR", "40303265045", None, "FR40303265045"),
        ("FR", "FR40303265046", C.INVALID_CHECKSUM, "FR40303265046"),
        ("FR", "FR4030326", C.INVALID_FORMAT, "FR4030326"),
        ("GB", "GB 980 7806 84", None, "GB980780684"),
        ("GB", "980780684", None, "GB980780684"),
        ("GB", "XI 980 7806 84", None, "XI980780684"),
        ("GB", "GB980780685", C.INVALID_CHECKSUM, "GB980780685"),
        ("GB", "GB12345", C.INVALID_FORMAT, "GB12345"),
        ("GB", "NL006486253B01", C.COUNTRY_MISMATCH, "NL006486253B01"),
        ("US", "04-2103594", None, "US042103594"),
        ("US", "042103594", None, "US042103594"),
        ("US", "US 04-2103594", None, "US042103594"),
        ("US", "00-1234567", C.INVALID_FORMAT, "00-1234567"),
        ("US", "12345", C.INVALID_FORMAT, "12345"),
        ("US", "DE136695976", C.COUNTRY_MISMATCH, "DE136695976"),
        ("GR", "EL094259216", None, "EL094259216"),
        ("GR", "GR 094259216", None, "EL094259216"),
        ("GR", "094259216", None, "EL094259216"),
        ("CH", "CHE-107.787.577 MWST", None, "CHE107787577MWST"),
        ("CH", "CHE-107.787.578 MWST", C.INVALID_CHECKSUM, "CHE-107.787.578 MWST"),
        # No stdnum module: free text, upper-cased, letters and digits only.
        ("AE", "100 123.456 700003", None, "100123456700003"),
        ("AE", "trn-12 34", None, "TRN1234"),
        ("AE", "NL006486253B01", C.COUNTRY_MISMATCH, "NL006486253B01"),
        ("NL", "x" * 65, C.TOO_LONG, "x" * 65),
        ("NL", "  ", C.REQUIRED, None),
    ],
)
def test_tax_id(country: str, raw: str, code: C | None, stored: str | None) -> None:
    result = run(draft(country, tax_id=raw))
    assert field_codes(result, "taxId") == ([code] if code else [])
    assert result.normalized.tax_id == stored
    assert len(result.errors) == (1 if code else 0)


def test_country_mismatch_message_names_both_countries() -> None:
    result = run(draft("NL", tax_id="DE136695976"))
    assert result.errors[0].message == (
        "'DE136695976' starts with DE, the VAT prefix of Germany, but the address country "
        "is Netherlands."
    )


@pytest.mark.parametrize(
    ("country", "raw", "code", "stored"),
    [
        ("NL", "17048595", None, "17048595"),
        ("NL", "1704 8595", None, "17048595"),
        ("NL", "1704.85.95", None, "17048595"),
        ("NL", "1704859", C.INVALID_FORMAT, "1704859"),
        ("NL", "170485951", C.INVALID_FORMAT, "170485951"),
        ("NL", "1704859A", C.INVALID_FORMAT, "1704859A"),
        ("NL", "１７０４８５９５", None, "17048595"),  # full-width digits (NFKC)
        ("NL", "١٧٠٤٨٥٩٥", C.INVALID_FORMAT, "١٧٠٤٨٥٩٥"),  # Arabic-Indic digits
        ("BE", "0403.019.261", None, "0403019261"),
        ("BE", "403019261", None, "0403019261"),
        ("BE", "BE 0403 019 261", None, "0403019261"),
        ("BE", "0403019262", C.INVALID_CHECKSUM, "0403019262"),
        ("BE", "12345", C.INVALID_FORMAT, "12345"),
        ("DE", "München HRB 123456", None, "München HRB 123456"),
        ("DE", "Amtsgericht München HRB 123456", None, "München HRB 123456"),
        ("DE", "Aachen  HRA 11223", None, "Aachen HRA 11223"),
        ("DE", "HRB 12345", None, "HRB 12345"),
        ("DE", "hrb12345", None, "HRB 12345"),
        ("DE", "Aachen HRC 44123", C.INVALID_FORMAT, "Aachen HRC 44123"),
        ("DE", "12345", C.INVALID_FORMAT, "12345"),
        ("FR", "732 829 320", None, "732829320"),
        ("FR", "73282932000074", None, "732829320"),
        ("FR", "732829321", C.INVALID_CHECKSUM, "732829321"),
        ("FR", "7328293", C.INVALID_FORMAT, "7328293"),
        ("GB", "01234567", None, "01234567"),
        ("GB", "1234567", None, "01234567"),
        ("GB", "sc123456", None, "SC123456"),
        ("GB", "SC 123456", None, "SC123456"),
        ("GB", "123456789", C.INVALID_FORMAT, "123456789"),
        ("GB", "SC12345", C.INVALID_FORMAT, "SC12345"),
        ("US", "C0806592", None, "C0806592"),
        ("US", "  de 1234-56 ", None, "DE123456"),
        ("US", "x" * 65, C.TOO_LONG, "x" * 65),
        ("CH", "CHE-100.155.212", None, "CHE100155212"),
        ("CH", "CHE-100.155.213", C.INVALID_CHECKSUM, "CHE-100.155.213"),
        ("AE", "abc 123", None, "ABC123"),
        ("NL", "", C.REQUIRED, None),
    ],
)
def test_registration_number(country: str, raw: str, code: C | None, stored: str | None) -> None:
    result = run(draft(country, registration_number=raw))
    assert field_codes(result, "registrationNumber") == ([code] if code else [])
    assert result.normalized.registration_number == stored
    assert len(result.errors) == (1 if code else 0)
