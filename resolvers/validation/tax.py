"""Tax IDs (VAT numbers), checked with python-stdnum for the address country.

Stored as VAT prefix + compact number ("NL006486253B01", "BE0403019261", "EL094259216"),
which is what `stdnum.eu.vat.compact` gives; spaces, dots, dashes and a missing prefix are
accepted on input. Countries outside the EU use whatever `stdnum.get_cc_module(cc, "vat")`
offers (GB VAT, CH MWST, NO MVA, AU ABN, CA BN...), stored with the same prefix rule.

Decisions:
- US has no VAT; a US business's federal tax id is its EIN, so for US the tax id must be a
  valid EIN (stdnum.us.ein: 9 digits, known IRS prefix), stored "US" + 9 digits like every
  other country ("04-2103594" -> "US042103594"), which keeps uniqueness checks trivial.
- GB also accepts the Northern Ireland "XI" prefix, stored with XI.
- Countries without a stdnum module: 1-64 characters, upper-cased, spaces and dots removed.
- A number that does not validate for the address country but starts with another
  country's VAT prefix is COUNTRY_MISMATCH, the likelier mistake than a typo. For countries
  without a module it is only a mismatch when it is a valid number of that other country,
  since their own free-form ids may start with any two letters.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

import stdnum
from stdnum.exceptions import InvalidChecksum
from stdnum.us import ein

from resolvers.errors import ErrorCode

from .countries import country_name, is_country
from .text import Checked, Path, fail

if TYPE_CHECKING:
    from stdnum.util import NumberValidationModule as Module

_NOISE = re.compile(r"[\s.\-/]")
_FREE_NOISE = re.compile(r"[\s.]")
# VAT prefixes that are not the ISO code of the country they belong to.
_PREFIX_COUNTRY = {"EL": "GR", "XI": "GB"}
_OWN_PREFIXES = {"GR": ("EL", "GR"), "GB": ("GB", "XI")}


def vat_prefix(country: str) -> str:
    return "EL" if country == "GR" else country


@cache
def vat_module(country: str) -> Module | None:
    return stdnum.get_cc_module(country.lower(), "vat")


def _code_for(exc: ValueError) -> ErrorCode:
    # InvalidFormat, InvalidLength and InvalidComponent all mean "not shaped right".
    if isinstance(exc, InvalidChecksum):
        return ErrorCode.INVALID_CHECKSUM
    return ErrorCode.INVALID_FORMAT


def _reason(exc: ValueError) -> str:
    # stdnum's str() falls back to the class's human message when raised without one.
    return str(exc)


def _foreign_prefix(compact: str, country: str) -> str | None:
    """The country another VAT prefix at the start of `compact` belongs to, if any."""
    head = compact[:2]
    if not head.isalpha() or head in _OWN_PREFIXES.get(country, (country,)):
        return None
    other = _PREFIX_COUNTRY.get(head, head)
    return other if other != country and is_country(other) else None


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


def check_tax_id(text: str, country: str, path: Path) -> Checked:
    """`text` is trimmed; `country` a valid alpha-2 code."""
    # NFKC turns full-width digits and letters (typed with East Asian IMEs) into ASCII.
    text = unicodedata.normalize("NFKC", text)
    compact = _NOISE.sub("", text.upper())
    if country == "US":
        return _check_ein(text, compact, path)
    module = vat_module(country)
    if module is None:
        return _check_free(text, country, path)
    own = _OWN_PREFIXES.get(country, (country,))
    prefix = vat_prefix(country)
    if country == "GB" and compact.startswith("XI"):
        prefix = "XI"
    try:
        number = _validate_with(module, text, compact, own)
    except ValueError as exc:
        other = _foreign_prefix(compact, country)
        if other is not None:
            return _mismatch(path, text, compact[:2], other, country)
        return fail(
            path,
            _code_for(exc),
            f"'{text}' is not a valid {country_name(country)} VAT number: {_reason(exc)}",
            text,
        )
    number = _NOISE.sub("", number.upper())
    # Some compact forms already carry the prefix (Swiss "CHE..."); never add it twice.
    return Checked(number if number.startswith(prefix) else prefix + number)


def _mismatch(path: Path, text: str, head: str, other: str, country: str) -> Checked:
    return fail(
        path,
        ErrorCode.COUNTRY_MISMATCH,
        f"'{text}' starts with {head}, the VAT prefix of {country_name(other)}, but the "
        f"address country is {country_name(country)}.",
        text,
    )


def _check_ein(text: str, compact: str, path: Path) -> Checked:
    digits = compact[2:] if compact.startswith("US") else compact
    try:
        return Checked("US" + ein.validate(digits))
    except ValueError as exc:
        other = _foreign_prefix(compact, "US")
        if other is not None:
            return _mismatch(path, text, compact[:2], other, "US")
        return fail(
            path,
            _code_for(exc),
            f"'{text}' is not a valid EIN (US tax id, e.g. 12-3456789): {_reason(exc)}",
            text,
        )


def _check_free(text: str, country: str, path: Path) -> Checked:
    compact = _FREE_NOISE.sub("", text.upper())
    other = _foreign_prefix(compact, country)
    if other is not None:
        module = vat_module(other)
        try:
            if module is not None and module.is_valid(compact):
                return _mismatch(path, text, compact[:2], other, country)
        except ValueError:
            pass
    return Checked(compact)
