"""Tax IDs and registration numbers against data nobody here wrote: python-stdnum's own
documented examples, for every country we hand to a stdnum module."""

from __future__ import annotations

from types import ModuleType

import pycountry
import pytest
from stdnum.be import vat as be_vat
from stdnum.de import handelsregisternummer as de_hr
from stdnum.eu import vat as eu_vat
from stdnum.fr import rcs as fr_rcs
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.us import ein

from resolvers.errors import ErrorCode as C
from resolvers.validation.registration import STDNUM_MODULES, check_registration_number
from resolvers.validation.tax import (
    STDNUM_PREFIXED,
    VAT_PREFIXES,
    check_tax_id,
    check_tax_id_by_prefix,
    own_prefixes,
    vat_module,
)
from resolvers.validation.text import compact_free

from .stdnum_examples import examples

PATH = ("taxId",)


def _vat_modules() -> list[tuple[str, ModuleType]]:
    found: list[tuple[str, ModuleType]] = [("US", ein)]
    for country in sorted(str(c.alpha_2) for c in pycountry.countries):
        module = vat_module(country)
        if module is not None:
            found.append((country, module))
    return found


VAT_MODULES = _vat_modules()
VAT_CASES = [
    pytest.param(country, module, text, valid, id=f"{country}-{text}")
    for country, module in VAT_MODULES
    for text, valid in examples(module)
]


def test_the_tables_cover_every_country_stdnum_documents() -> None:
    # 79 countries with a VAT module plus the US EIN at python-stdnum 2.2; fewer would
    # mean a module went missing from the lookup, not that stdnum shrank.
    assert len(VAT_MODULES) >= 80
    assert len({c for c, *_ in (p.values for p in VAT_CASES)}) >= 75


def _bare(number: str, country: str) -> str:
    compact = "".join(ch for ch in number.upper() if ch.isalnum())
    for prefix in sorted(own_prefixes(country), key=len, reverse=True):
        if compact.startswith(prefix):
            return compact.removeprefix(prefix)
    return compact


@pytest.mark.parametrize(("country", "module", "text", "valid"), VAT_CASES)
def test_vat_follows_stdnum_examples(
    country: str, module: ModuleType, text: str, valid: bool
) -> None:
    checked = check_tax_id(text.strip(), country, PATH)
    assert checked.ok is valid, checked.error
    if valid:
        stored = str(checked.value)
        assert stored.startswith(own_prefixes(country)), stored
        assert _bare(stored, country) == _bare(module.compact(text), country)
        # The stored form is canonical: checking it again gives itself.
        assert check_tax_id(stored, country, PATH).value == stored


REGISTRATION_MODULES = [
    *STDNUM_MODULES.items(),
    ("FR", fr_siren),
    ("FR", fr_siret),
    ("FR", fr_rcs),
    ("BE", be_vat),
    ("DE", de_hr),
]


@pytest.mark.parametrize(
    ("country", "module", "text", "valid"),
    [
        pytest.param(country, module, text, valid, id=f"{country}-{module.__name__}-{text}")
        for country, module in REGISTRATION_MODULES
        for text, valid in examples(module)
    ],
)
def test_registration_follows_stdnum_examples(
    country: str, module: ModuleType, text: str, valid: bool
) -> None:
    checked = check_registration_number(text.strip(), country, ("registrationNumber",))
    assert checked.ok is valid, checked.error
    if not valid:
        assert checked.error is not None
        assert checked.error.code in (C.INVALID_FORMAT, C.INVALID_CHECKSUM)
        return
    stored = str(checked.value)
    if module in STDNUM_MODULES.values():
        assert stored == module.compact(text)
    elif country == "FR":
        assert stored == "".join(ch for ch in text if ch.isdigit())[:9]  # the SIREN
    assert check_registration_number(stored, country, ("registrationNumber",)).value == stored


def test_every_stdnum_company_module_of_the_issue_is_used() -> None:
    issue_10 = {"CN", "ES", "IL", "IS", "KR", "MD", "PL", "RO", "RU", "SI", "TH", "TW", "UA"}
    assert issue_10 <= STDNUM_MODULES.keys()


def _accepts_own_prefix(country: str, module: ModuleType) -> bool:
    """Whether stdnum's module takes its documented valid numbers with the country code
    in front: then that code is a real VAT prefix."""
    for text, valid in examples(module):
        if not valid:
            continue
        bare = module.compact(text).removeprefix(country)
        try:
            if module.is_valid(country + bare):
                return True
        except ValueError:
            continue
    return False


def test_stdnum_prefixed_is_what_stdnum_accepts() -> None:
    eu = {cc.upper() for cc in eu_vat.MEMBER_STATES} | {"GR", "GB", "CH"}
    derived = {
        country
        for country, module in VAT_MODULES
        if country not in eu and _accepts_own_prefix(country, module)
    }
    assert derived == set(STDNUM_PREFIXED)


def test_real_vat_prefixes() -> None:
    assert VAT_PREFIXES["EL"] == "GR" and VAT_PREFIXES["XI"] == "GB"
    assert VAT_PREFIXES["CHE"] == "CH" and VAT_PREFIXES["NO"] == "NO"
    # ISO codes are not VAT prefixes by themselves.
    assert not {"IO", "CO", "GR", "MC", "US", "XK"} & VAT_PREFIXES.keys()


@pytest.mark.parametrize(
    ("country", "raw", "code", "message_part"),
    [
        # An ISO code that is no VAT prefix: a typo in the country's own format.
        ("FR", "IO334175221", C.INVALID_FORMAT, "not a valid France VAT number"),
        ("MX", "COMG600700", C.INVALID_FORMAT, "not a valid Mexico VAT number"),
        ("NL", "US042103594", C.INVALID_FORMAT, "not a valid Netherlands VAT number"),
        # Real prefixes of other countries.
        ("FR", "NL006486253B01", C.COUNTRY_MISMATCH, "the VAT prefix of Netherlands"),
        ("NL", "EL094259216", C.COUNTRY_MISMATCH, "the VAT prefix of Greece"),
        ("NL", "XI980780684", C.COUNTRY_MISMATCH, "the VAT prefix of United Kingdom"),
        ("DE", "CHE-107.787.577 MWST", C.COUNTRY_MISMATCH, "the VAT prefix of Switzerland"),
        ("DE", "NO 995 525 828 MVA", C.COUNTRY_MISMATCH, "the VAT prefix of Norway"),
        # MX numbers start with letters: AT is Austria's prefix only if valid there.
        ("MX", "ATU13585627", C.COUNTRY_MISMATCH, "the VAT prefix of Austria"),
        ("MX", "ATMG600700", C.INVALID_FORMAT, "not a valid Mexico VAT number"),
        # A free-text country: a mismatch only when the number is valid where it points.
        ("AE", "NL006486253B01", C.COUNTRY_MISMATCH, "the VAT prefix of Netherlands"),
        ("AE", "NL006486254B01", None, ""),
        # Monaco's numbers are French-prefixed, but stdnum refuses French ones for Monaco.
        ("MC", "FR 61 954 506 077", C.INVALID_FORMAT, "not a valid Monaco VAT number"),
    ],
)
def test_prefix_rules(country: str, raw: str, code: C | None, message_part: str) -> None:
    checked = check_tax_id(raw, country, PATH)
    if code is None:
        assert checked.error is None
        return
    assert checked.error is not None
    assert checked.error.code is code
    assert message_part in checked.error.message


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("53 0000 04605", "FR53000004605"),
        ("FR53000004605", "FR53000004605"),
        ("FR 53 000 004 605", "FR53000004605"),
        ("MC53000004605", "FR53000004605"),  # what people type; stored as VIES knows it
    ],
)
def test_monaco_is_stored_french_prefixed(raw: str, stored: str) -> None:
    assert check_tax_id(raw, "MC", PATH).value == stored


@pytest.mark.parametrize(
    ("raw", "code", "stored"),
    [
        ("91-1144442", None, "US911144442"),
        ("911144442", None, "US911144442"),
        ("US 91-1144442", None, "US911144442"),
        ("us91-1144442", None, "US911144442"),
        ("911-14-4442", C.INVALID_FORMAT, "911-14-4442"),  # dash in the wrong place
        ("07-1144442", C.INVALID_FORMAT, "07-1144442"),  # no such IRS prefix
    ],
)
def test_ein_follows_stdnum(raw: str, code: C | None, stored: str) -> None:
    checked = check_tax_id(raw, "US", PATH)
    assert (checked.error.code if checked.error else None) is code
    assert checked.value == stored


@pytest.mark.parametrize(
    ("raw", "code", "value"),
    [
        ("NL006486253B01", None, "NL006486253B01"),
        ("NL 0064.86.253.B01", None, "NL006486253B01"),
        ("NL006486254B01", C.INVALID_CHECKSUM, "NL006486254B01"),
        ("EL094259217", C.INVALID_CHECKSUM, "EL094259217"),
        ("CHE-107.787.578 MWST", C.INVALID_CHECKSUM, "CHE-107.787.578 MWST"),
        ("NL12", C.INVALID_FORMAT, "NL12"),
        # No real prefix: nothing to judge it by.
        ("123456789", None, "123456789"),
        ("IO334175221", None, "IO334175221"),
    ],
)
def test_tax_id_without_country_is_judged_by_its_prefix(
    raw: str, code: C | None, value: str
) -> None:
    checked = check_tax_id_by_prefix(raw, PATH)
    assert (checked.error.code if checked.error else None) is code
    assert checked.value == value


@pytest.mark.parametrize(
    "typings",
    [
        ("116-82-00276", "116 82 00276", "1168200276", "116.82.00276", "116/82/00276"),
        ("trn-12 34", "TRN1234", "t r n 1 2 3 4", "ＴＲＮ１２３４"),
    ],
)
def test_free_numbers_have_one_canonical_form(typings: tuple[str, ...]) -> None:
    stored = {check_registration_number(t, "AE", ("registrationNumber",)).value for t in typings}
    taxed = {check_tax_id(t, "AE", PATH).value for t in typings}
    assert len(stored) == 1 and len(taxed) == 1
    assert stored == taxed == {compact_free(typings[0])}


@pytest.mark.parametrize(
    ("country", "typings"),
    [
        ("KR", ("116-82-00276", "1168200276", " 116 - 82 - 00276")),
        (
            "FR",
            ("732 829 320", "73282932000074", "RCS Paris B 732 829 320", "RCS Paris B732829320"),
        ),
        ("NL", ("17048595", "1704 8595", "1704.85.95")),
        ("DE", ("HRB 12345", "hrb12345", "HRB-12345")),
    ],
)
def test_ruled_numbers_have_one_canonical_form(country: str, typings: tuple[str, ...]) -> None:
    path = ("registrationNumber",)
    assert len({check_registration_number(t, country, path).value for t in typings}) == 1


def test_only_separators_is_no_number() -> None:
    checked = check_registration_number("--", "AE", ("registrationNumber",))
    assert checked.error is not None and checked.error.code is C.INVALID_FORMAT
    checked = check_tax_id("./.", "AE", PATH)
    assert checked.error is not None and checked.error.code is C.INVALID_FORMAT
