"""python-stdnum's own documented examples as test data: the `validate(...)` and
`is_valid(...)` calls in a module's docstring, with stdnum's verdict on each."""

from __future__ import annotations

import ast
import re
from types import ModuleType

_CALL = re.compile(r"\s*>>> (validate|is_valid)\((.*)\)\s*(?:#.*)?$")


def examples(module: ModuleType) -> list[tuple[str, bool]]:
    """(text, valid) for every documented call with one string literal argument."""
    lines = (module.__doc__ or "").splitlines()
    found: list[tuple[str, bool]] = []
    for line, answer in zip(lines, [*lines[1:], ""], strict=True):
        match = _CALL.match(line)
        if match is None:
            continue
        try:
            text = ast.literal_eval(match.group(2))
        except (ValueError, SyntaxError):
            continue
        if not isinstance(text, str):
            continue
        answer = answer.strip()
        if match.group(1) == "validate":
            found.append((text, not answer.startswith("Traceback")))
        elif answer in ("True", "False"):
            found.append((text, answer == "True"))
    return found
