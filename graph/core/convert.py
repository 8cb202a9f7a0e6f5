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
    names = _FIELDS.get(target)
    if names is None:
        # Cached per type: reading dataclass fields on every row showed up in the profile.
        names = _FIELDS[target] = tuple(
            f.name
            for f in dataclasses.fields(target)  # type: ignore[arg-type]
            if f.init
        )
    return target(**{name: getattr(source, name) for name in names})


_FIELDS: dict[type, tuple[str, ...]] = {}
