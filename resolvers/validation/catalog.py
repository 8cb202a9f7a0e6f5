"""The country catalogue behind `Query.countries`: what each country's form needs.

`required_fields` uses the API names and mirrors exactly what validation enforces:
line1 and city everywhere, state and postalCode where the address format requires them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from .countries import country_codes, country_name
from .postal import postal_code_example, postal_code_required
from .subdivisions import Subdivision, state_required, subdivisions


@dataclass(frozen=True, slots=True)
class CountryInfo:
    code: str
    name: str
    required_fields: tuple[str, ...]
    postal_code_example: str | None
    postal_code_required: bool
    subdivisions: tuple[Subdivision, ...]


def country_info(code: str) -> CountryInfo:
    postal_required = postal_code_required(code)
    required: tuple[str, ...] = ("line1", "city")
    required += ("state",) if state_required(code) else ()
    required += ("postalCode",) if postal_required else ()
    return CountryInfo(
        code=code,
        name=country_name(code),
        required_fields=required,
        postal_code_example=postal_code_example(code),
        postal_code_required=postal_required,
        subdivisions=subdivisions(code),
    )


@cache
def country_catalog() -> tuple[CountryInfo, ...]:
    """Every accepted country (ISO 3166-1 and XK), sorted by code; built once, it is static
    reference data."""
    return tuple(country_info(code) for code in country_codes())
