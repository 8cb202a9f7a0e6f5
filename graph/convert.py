"""Copy same-named fields between the plain objects of the layers (records, drafts, types)."""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def convert(source: Any, target: type[T]) -> T:
    """`target` built from `source`'s attributes of the same names as target's init fields.

    Both sides are dataclasses (Strawberry types are too), so an added field fails loudly
    here instead of being silently left out.
    """
    names = [f.name for f in dataclasses.fields(target) if f.init]  # type: ignore[arg-type]
    return target(**{name: getattr(source, name) for name in names})
