"""Generic text hygiene shared by every field: trim, refuse control characters, check length.

`Checked` is the small value every field validator returns, so validators can be chained:
a later, stricter check only runs while the earlier ones passed.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from resolvers.errors import ErrorCode, FieldError

Path = tuple[str, ...]

# Categories that never belong in a name or an address: C0/C1 controls, format characters
# (bidi overrides, zero-width spaces, BOM), surrogates and line/paragraph separators.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Zero-width (non-)joiners are format characters but are needed to spell words in Persian
# and Indic scripts, so refusing them would refuse real company names.
_ALLOWED_FORMAT_CHARS = frozenset({"\u200c", "\u200d"})
# A trailing newline or tab from a copy-paste is harmless once trimmed; elsewhere it is not.
_BENIGN_EDGE = frozenset({"\t", "\n", "\r"})


@dataclass(frozen=True, slots=True)
class Checked:
    """Outcome of checking one field: canonical value if ok, trimmed input if not."""

    value: str | None
    error: FieldError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.value is not None


def is_refused_char(ch: str) -> bool:
    return unicodedata.category(ch) in _REFUSED_CATEGORIES and ch not in _ALLOWED_FORMAT_CHARS


def has_control_chars(raw: str, trimmed: str) -> bool:
    """True when `trimmed` holds a refused character, or `raw` held one that trimming hid."""
    # Fast path for nearly every input: printable means no character of any Other (C*) or
    # Separator (Z*) category but the space, and every refused category is one of those.
    if raw.isprintable():
        return False
    if any(is_refused_char(ch) for ch in trimmed):
        return True
    return any(is_refused_char(ch) and ch not in _BENIGN_EDGE for ch in raw)


def fail(path: Path, code: ErrorCode, message: str, value: str | None) -> Checked:
    return Checked(value, FieldError(path, code, message))


def clean_text(
    raw: str | None,
    path: Path,
    label: str,
    *,
    required: bool = True,
    min_len: int = 1,
    max_len: int,
) -> Checked:
    """Trim and NFC-normalize `raw`; blank counts as missing. Lengths count characters."""
    if raw is None or not raw.strip():
        if required:
            return fail(path, ErrorCode.REQUIRED, f"{label} is required.", None)
        return Checked(None)
    # NFC so that "é" typed two ways is stored (and compared for uniqueness) one way.
    text = unicodedata.normalize("NFC", raw.strip())
    if has_control_chars(raw, text):
        return fail(path, ErrorCode.INVALID_FORMAT, f"{label} contains control characters.", text)
    if len(text) < min_len:
        return fail(
            path, ErrorCode.TOO_SHORT, f"{label} must be at least {min_len} characters.", text
        )
    if len(text) > max_len:
        return fail(
            path,
            ErrorCode.TOO_LONG,
            f"{label} must be at most {max_len} characters (got {len(text)}).",
            text,
        )
    return Checked(text)


def has_letter(text: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def compact_free(text: str) -> str:
    """The canonical form of a number no rule knows: NFKC, upper-case, letters and digits
    only, so whatever separators were typed ("116-82-00276", "116 82 00276") it is one
    number for the duplicate check."""
    normalized = unicodedata.normalize("NFKC", text).upper()
    return "".join(ch for ch in normalized if ch.isalnum())
