"""Tax IDs (VAT numbers), checked with python-stdnum for the address country.

Stored as VAT prefix + compact number ("NL006486253B01", "BE0403019261", "EL094259216"),
which is what `stdnum.eu.vat.compact` gives; spaces, dots, dashes and a missing prefix are
accepted on input. Countries outside the EU use whatever `stdnum.get_cc_module(cc, "vat")`
offers (GB VAT, CH MWST, NO MVA, AU ABN, CA BN...), stored with the same prefix rule.

Decisions:
- US has no VAT; a US business's federal tax id is its EIN, so for US the tax id must be a
  valid EIN (stdnum.us.ein), stored "US" + 9 digits like every other country
  ("04-2103594" -> "US042103594"). Dashes follow stdnum's verdict: "911-14-4442" is refused.
- GB also accepts the Northern Ireland "XI" prefix, stored with XI.
- Monaco is French territory for VAT: its numbers carry the FR prefix (stdnum.mc.tva, VIES),
  so a Monaco customer's tax id is stored "FR53000004605", never "MC...".
- Countries without a stdnum module: 1-64 characters, upper-cased, only letters and digits
  kept, so "116-82-00276" and "1168200276" are one number.
- Only real VAT prefixes count as "another country's prefix" (VAT_PREFIXES): "IO334175221"
  for France is a typo in a French number, not British Indian Ocean Territory's VAT.
- A number that does not validate for the address country but starts with another
  country's VAT prefix is COUNTRY_MISMATCH when the number is valid there, or when the
  address country's own numbers start with a prefix too (then leading letters can only be
  a prefix). Elsewhere (Mexico's RFC starts with letters) it is the country's own format
  error.
- Without a valid address country, a tax id that carries a real VAT prefix is still judged
  by that prefix's country (`check_tax_id_by_prefix`): every mistake at once.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

import stdnum
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum
from stdnum.us import ein

from resolvers.errors import ErrorCode

from .countries import country_name
from .text import Checked, Path, compact_free, fail

if TYPE_CHECKING:
    from stdnum.util import NumberValidationModule as Module

_NOISE = re.compile(r"[\s.\-/]")


def _real_prefixes() -> dict[str, str]:
    """VAT prefix -> the country whose numbers carry it.

    The EU's (VIES: EL for Greece, XI for Northern Ireland), GB, Switzerland's CHE, and the
    prefixes python-stdnum's own modules accept in front of their numbers (NO, IS, AL, ...;
    tests/unit/test_validation_tax.py derives that list from stdnum and compares)."""
    prefixes = {cc.upper(): cc.upper() for cc in eu_vat.MEMBER_STATES}
    del prefixes["GR"]
    prefixes |= {"EL": "GR", "XI": "GB", "GB": "GB", "CHE": "CH"}
    prefixes |= {cc: cc for cc in STDNUM_PREFIXED}
    return prefixes


# Non-EU countries whose stdnum VAT module accepts the country code as a prefix.
STDNUM_PREFIXED = ("AL", "CL", "FO", "IS", "MK", "NO", "NZ", "SV", "UY")
VAT_PREFIXES = _real_prefixes()
# Longest first, so "CHE" is found before a two-letter prefix could be.
_BY_LENGTH = sorted(VAT_PREFIXES, key=len, reverse=True)
# The prefix a country's stored numbers carry, where it is not the country's own code.
_STORED_PREFIX = {"GR": "EL", "MC": "FR", "CH": "CHE"}
# Countries whose numbers use a prefix that VAT_PREFIXES gives to another country.
_EXTRA_OWN = {"GR": ("GR",), "MC": ("FR",)}


def vat_prefix(country: str) -> str:
    return _STORED_PREFIX.get(country, country)


def own_prefixes(country: str) -> tuple[str, ...]:
    """Every prefix a number of `country` may carry."""
    owned = tuple(p for p, c in VAT_PREFIXES.items() if c == country)
    return owned + _EXTRA_OWN.get(country, ()) + ((country,) if country not in owned else ())


@cache
def vat_module(country: str) -> Module | None:
    return stdnum.get_cc_module(country.lower(), "vat")


def _code_for(exc: ValueError) -> ErrorCode:
    # InvalidFormat, InvalidLength and InvalidComponent all mean "not shaped right".
    if isinstance(exc, InvalidChecksum):
        return ErrorCode.INVALID_CHECKSUM
    return ErrorCode.INVALID_FORMAT


def prefix_of(compact: str) -> str | None:
    """The real VAT prefix `compact` starts with, if any."""
    return next((p for p in _BY_LENGTH if compact.startswith(p)), None)


def _foreign_prefix(compact: str, country: str) -> tuple[str, str] | None:
    """(prefix, its country) when `compact` starts with another country's real VAT prefix."""
    head = prefix_of(compact)
    if head is None or head in own_prefixes(country):
        return None
    other = VAT_PREFIXES[head]
    return (head, other) if other != country else None


def _is_valid_for(country: str, compact: str) -> bool:
    module = vat_module(country)
    try:
        return module is not None and bool(module.is_valid(compact))
    except ValueError:
        return False


def _prefixed_country(country: str) -> bool:
    """Whether the country's own numbers are written with a VAT prefix."""
    return country in VAT_PREFIXES.values() or country in _EXTRA_OWN


def _validate_with(module: Module, raw: str, compact: str, prefixes: tuple[str, ...]) -> str:
    """Validate as typed, then without our own prefix (not every module strips it)."""
    attempts = [raw] + [compact.removeprefix(p) for p in prefixes if compact.startswith(p)]
    failures: list[ValueError] = []
    for attempt in attempts:
        try:
            return str(module.validate(attempt))
        except ValueError as exc:
            failures.append(exc)
    # A checksum failure means some attempt had the right shape: the most useful verdict.
    raise next((f for f in failures if isinstance(f, InvalidChecksum)), failures[-1])


def normalize(text: str) -> tuple[str, str]:
    """(NFKC text, upper-case compact form). NFKC turns full-width digits and letters
    (typed with East Asian IMEs) into ASCII."""
    text = unicodedata.normalize("NFKC", text)
    return text, _NOISE.sub("", text.upper())


def check_tax_id(text: str, country: str, path: Path) -> Checked:
    """`text` is trimmed; `country` a valid country code."""
    text, compact = normalize(text)
    if country == "US":
        return _check_ein(text, compact, path)
    module = vat_module(country)
    if module is None:
        return _check_free(text, country, path)
    own = own_prefixes(country)
    prefix = vat_prefix(country)
    if country == "GB" and compact.startswith("XI"):
        prefix = "XI"
    try:
        number = _validate_with(module, text, compact, own)
    except ValueError as exc:
        mismatch = _foreign_prefix(compact, country)
        if mismatch is not None and (
            _prefixed_country(country) or _is_valid_for(mismatch[1], compact)
        ):
            return _mismatch(path, text, *mismatch, country)
        return fail(
            path,
            _code_for(exc),
            f"'{text}' is not a valid {country_name(country)} VAT number: {exc}",
            text,
        )
    number = _NOISE.sub("", number.upper())
    # Some compact forms already carry the prefix (Swiss "CHE...", Monaco "FR..."); never
    # add it twice.
    return Checked(number if number.startswith(prefix) else prefix + number)


def check_tax_id_by_prefix(text: str, path: Path) -> Checked:
    """Without a valid address country: judge a number that carries a real VAT prefix by
    that prefix's country; anything else cannot be judged and passes as typed."""
    _, compact = normalize(text)
    head = prefix_of(compact)
    if head is None:
        return Checked(text)
    return check_tax_id(text, VAT_PREFIXES[head], path)


def _mismatch(path: Path, text: str, head: str, other: str, country: str) -> Checked:
    return fail(
        path,
        ErrorCode.COUNTRY_MISMATCH,
        f"'{text}' starts with {head}, the VAT prefix of {country_name(other)}, but the "
        f"address country is {country_name(country)}.",
        text,
    )


def _check_ein(text: str, compact: str, path: Path) -> Checked:
    # stdnum judges the dashes ("911-14-4442" is refused), so it gets the text as typed,
    # only without our own "US" prefix.
    typed = re.sub(r"^US[\s.\-]*", "", text.strip(), flags=re.IGNORECASE)
    try:
        return Checked("US" + ein.validate(typed))
    except ValueError as exc:
        mismatch = _foreign_prefix(compact, "US")
        if mismatch is not None:
            return _mismatch(path, text, *mismatch, "US")
        return fail(
            path,
            _code_for(exc),
            f"'{text}' is not a valid EIN (US tax id, e.g. 12-3456789): {exc}",
            text,
        )


def _check_free(text: str, country: str, path: Path) -> Checked:
    compact = compact_free(text)
    if not compact:
        return fail(path, ErrorCode.INVALID_FORMAT, f"'{text}' holds no letters or digits.", text)
    mismatch = _foreign_prefix(compact, country)
    if mismatch is not None and _is_valid_for(mismatch[1], compact):
        return _mismatch(path, text, *mismatch, country)
    return Checked(compact)
