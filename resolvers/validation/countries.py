"""ISO 3166-1 alpha-2 country codes, with helpful refusals for the aliases people type.

Only the alpha-2 code is accepted (case-insensitive). An alias such as "UK", "EL", "NLD" or
"Netherlands" is still refused, but the message names the code to use: silently mapping it
would hide from other services that they send non-standard data.
"""

from __future__ import annotations

from functools import cache

import pycountry

from resolvers.errors import ErrorCode

from .text import Checked, Path, fail

# Aliases pycountry cannot resolve: other code systems (EU VAT "EL", "UK"), constituent
# countries and endonyms that users of a Dutch-first portal actually type.
_ALIASES: dict[str, str] = {
    "UK": "GB",
    "EL": "GR",
    "XI": "GB",
    "ENGLAND": "GB",
    "SCOTLAND": "GB",
    "WALES": "GB",
    "NORTHERN IRELAND": "GB",
    "GREAT BRITAIN": "GB",
    "BRITAIN": "GB",
    "HOLLAND": "NL",
    "THE NETHERLANDS": "NL",
    "NEDERLAND": "NL",
    "AMERICA": "US",
    "UNITED STATES OF AMERICA": "US",
    "DEUTSCHLAND": "DE",
    "BELGIE": "BE",
    "BELGIË": "BE",
    "BELGIQUE": "BE",
    "BELGIEN": "BE",
    "FRANKRIJK": "FR",
    "DUITSLAND": "DE",
    "ÖSTERREICH": "AT",
    "SCHWEIZ": "CH",
    "SUISSE": "CH",
    "ESPAÑA": "ES",
    "ITALIA": "IT",
    "DANMARK": "DK",
    "NORGE": "NO",
    "SVERIGE": "SE",
    "POLSKA": "PL",
}


@cache
def country_name(code: str) -> str:
    """English short name, preferring the everyday form ("Bolivia" over its official name)."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


@cache
def is_country(code: str) -> bool:
    return len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None


def alias_target(text: str) -> str | None:
    """The alpha-2 code an alias, alpha-3 code or English name stands for, if any."""
    upper = text.upper()
    if upper in _ALIASES:
        return _ALIASES[upper]
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


def check_country(text: str, path: Path) -> Checked:
    upper = text.upper()
    if is_country(upper):
        return Checked(upper)
    target = alias_target(text)
    if target is not None:
        return fail(
            path,
            ErrorCode.UNKNOWN_COUNTRY,
            f"Use {target} for {country_name(target)}: the country must be an "
            "ISO 3166-1 alpha-2 code.",
            text,
        )
    return fail(
        path,
        ErrorCode.UNKNOWN_COUNTRY,
        f"'{text}' is not an ISO 3166-1 alpha-2 country code (e.g. NL for the Netherlands).",
        text,
    )
