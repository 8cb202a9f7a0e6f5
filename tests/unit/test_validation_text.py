"""Text hygiene: the printable fast path refuses exactly what the per-character rule does."""

from __future__ import annotations

import sys

import pytest

from resolvers.validation.text import has_control_chars, is_refused_char

SAMPLES = [
    "Copaco Netherlands B.V.",
    "Müller & Söhne GmbH",
    "東京都 港区",
    "می\u200cخواهم",  # zero-width non-joiner: allowed
    "क्\u200dष",  # zero-width joiner: allowed
    "Line\u00a0break",  # no-break space: a separator, but not refused
    "Tab\there",
    " trailing newline\n",
    "\tleading tab",
    "bell\x07",
    "del\x7f",
    "c1\x85control",
    "bidi\u202eoverride",
    "zero\u200bwidth",
    "bom\ufeff",
    "line\u2028sep",
    "para\u2029sep",
    "private\ue000use",
    "unassigned\u0378",
]


def _slow(raw: str, trimmed: str) -> bool:
    benign = {"\t", "\n", "\r"}
    return any(is_refused_char(ch) for ch in trimmed) or any(
        is_refused_char(ch) and ch not in benign for ch in raw
    )


@pytest.mark.parametrize("raw", SAMPLES)
def test_the_fast_path_agrees_with_the_rule(raw: str) -> None:
    assert has_control_chars(raw, raw.strip()) == _slow(raw, raw.strip())


def test_every_code_point_agrees() -> None:
    # Each code point alone, between letters: the fast path must never hide a refused one.
    for cp in range(sys.maxunicode + 1):  # lone surrogates included
        raw = f"a{chr(cp)}b"
        assert has_control_chars(raw, raw) == _slow(raw, raw), hex(cp)
