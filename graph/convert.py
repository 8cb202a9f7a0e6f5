"""Copy same-named fields between the plain objects of the layers (records, drafts, types)."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, TypeVar

T = TypeVar("T")


def convert(source: Any, target: type[T]) -> T:
    """`target` built from `source`'s attributes of the same names as target's init fields.

    Both sides are dataclasses (Strawberry types are too), so an added field fails loudly
    here instead of being silently left out.
    """
    return target(**{name: getattr(source, name) for name in _init_fields(target)})


@functools.cache
def _init_fields(target: type) -> tuple[str, ...]:
    # Cached: reading dataclass fields on every row showed up in the list's profile.
    return tuple(f.name for f in dataclasses.fields(target) if f.init)
