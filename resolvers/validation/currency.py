"""Billing currency: an ISO 4217 code the platform supports, plus the catalogue for forms."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import pycountry

from resolvers.errors import ErrorCode

from .text import Checked, Path, fail


@dataclass(frozen=True, slots=True)
class CurrencyInfo:
    code: str
    name: str


def currency_name(code: str) -> str | None:
    currency = pycountry.currencies.get(alpha_3=code.upper())
    return None if currency is None else str(currency.name)


def currency_catalog(codes: Iterable[str]) -> tuple[CurrencyInfo, ...]:
    """The configured codes in configured order (the first is the default choice in forms);
    a code pycountry does not know keeps its code as name rather than vanishing."""
    seen: dict[str, CurrencyInfo] = {}
    for raw in codes:
        code = raw.strip().upper()
        if code and code not in seen:
            seen[code] = CurrencyInfo(code, currency_name(code) or code)
    return tuple(seen.values())


def _by_name(text: str) -> str | None:
    """Code for a currency typed by name ("euro"), to suggest it in the message."""
    folded = text.casefold()
    for currency in pycountry.currencies:
        if str(currency.name).casefold() == folded:
            return str(currency.alpha_3)
    return None


def check_currency(text: str, supported: Collection[str], path: Path) -> Checked:
    """`text` is trimmed. Unknown and unsupported codes are the same error to the client:
    either way it must pick from the supported list, which the message gives."""
    allowed = sorted({code.strip().upper() for code in supported})
    listing = ", ".join(allowed)
    code = text.upper()
    if code in allowed:
        return Checked(code)
    if len(code) == 3 and currency_name(code) is not None:
        reason = f"{code} ({currency_name(code)}) is not supported"
    else:
        suggestion = _by_name(text)
        hint = f"; use the code {suggestion}" if suggestion else ""
        reason = f"'{text}' is not an ISO 4217 currency code{hint}"
    return fail(path, ErrorCode.UNSUPPORTED_CURRENCY, f"{reason}. Supported: {listing}.", text)
