"""The list grammar of the API (nestjs-query / refine style), turned into database filters.

The GraphQL layer converts its inputs into these plain objects; nothing here knows GraphQL.
Field names are the model's; the GraphQL layer maps its camelCase names onto them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.expressions import Q


@dataclass(frozen=True, slots=True)
class Comparison:
    """One field's conditions; all that are set must hold."""

    eq: Any = None
    neq: Any = None
    in_: Sequence[Any] | None = None
    not_in: Sequence[Any] | None = None
    i_like: str | None = None
    not_i_like: str | None = None
    like: str | None = None
    not_like: str | None = None
    lt: datetime | None = None
    lte: datetime | None = None
    gt: datetime | None = None
    gte: datetime | None = None
    between: tuple[datetime, datetime] | None = None
    not_between: tuple[datetime, datetime] | None = None
    is_null: bool | None = None  # True: IS NULL, False: IS NOT NULL


@dataclass(frozen=True, slots=True)
class Filter:
    fields: dict[str, Comparison] = field(default_factory=dict)
    search: str | None = None
    and_: Sequence[Filter] = ()
    or_: Sequence[Filter] = ()


@dataclass(frozen=True, slots=True)
class Sort:
    field: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Window:
    offset: int
    limit: int


SEARCH_FIELDS = ("short_name", "full_name", "erp_id", "tax_id", "registration_number")


def to_q(filter_: Filter) -> Q:
    parts = [_comparison_q(name, cmp) for name, cmp in filter_.fields.items()]
    if filter_.search and filter_.search.strip():
        parts.append(_search_q(filter_.search.strip()))
    parts.extend(to_q(f) for f in filter_.and_)
    if filter_.or_:
        parts.append(Q(*(to_q(f) for f in filter_.or_), join_type=Q.OR))
    return Q(*parts) if parts else Q()


def _comparison_q(name: str, cmp: Comparison) -> Q:
    parts: list[Q] = []
    if cmp.eq is not None:
        parts.append(_q(name, cmp.eq))
    if cmp.neq is not None:
        parts.append(~_q(name, cmp.neq))
    if cmp.in_ is not None:
        # An empty `in` matches nothing, as SQL would (no primary key is ever NULL).
        parts.append(_q(f"{name}__in", list(cmp.in_)) if cmp.in_ else Q(pk__isnull=True))
    if cmp.not_in:
        parts.append(_q(f"{name}__not_in", list(cmp.not_in)))
    if cmp.i_like is not None:
        parts.append(like_q(name, cmp.i_like))
    if cmp.not_i_like is not None:
        parts.append(~like_q(name, cmp.not_i_like))
    if cmp.like is not None:
        parts.append(like_q(name, cmp.like, ignore_case=False))
    if cmp.not_like is not None:
        parts.append(~like_q(name, cmp.not_like, ignore_case=False))
    if cmp.is_null is not None:
        parts.append(_q(f"{name}__isnull", cmp.is_null))
    for op in ("lt", "lte", "gt", "gte"):
        value = getattr(cmp, op)
        if value is not None:
            parts.append(_q(f"{name}__{op}", value))
    if cmp.between is not None:
        parts += [_q(f"{name}__gte", cmp.between[0]), _q(f"{name}__lte", cmp.between[1])]
    if cmp.not_between is not None:
        low, high = cmp.not_between
        parts.append(Q(_q(f"{name}__lt", low), _q(f"{name}__gt", high), join_type=Q.OR))
    return Q(*parts) if parts else Q()


def _q(lookup: str, value: Any) -> Q:
    filters: dict[str, Any] = {lookup: value}
    return Q(**filters)


def like_q(name: str, pattern: str, *, ignore_case: bool = True) -> Q:
    """SQL LIKE (case-insensitive by default) for the patterns admin data providers send.

    `%x%` (contains), `x%` (starts with), `%x` (ends with) and `x` (equals, ignoring case).
    Wildcards inside the text are taken literally: Tortoise escapes them, which keeps a
    user's "100%" from turning into a pattern.
    """
    starts = pattern.startswith("%")
    ends = len(pattern) > 1 and pattern.endswith("%") and not pattern.endswith("\\%")
    core = pattern[1 if starts else 0 : len(pattern) - 1 if ends else len(pattern)]
    core = core.replace("\\%", "%").replace("\\_", "_")
    i = "i" if ignore_case else ""
    if starts and ends:
        return _q(f"{name}__{i}contains", core)
    if ends:
        return _q(f"{name}__{i}startswith", core)
    if starts:
        return _q(f"{name}__{i}endswith", core)
    return _q(f"{name}__{i}exact" if ignore_case else name, core)


def _search_q(text: str) -> Q:
    terms = [_q(f"{name}__icontains", text) for name in SEARCH_FIELDS]
    # Tax and registration numbers are stored compact; let "NL 0064.86" find them too.
    compact = "".join(ch for ch in text if ch.isalnum())
    if compact and compact != text:
        terms += [Q(tax_id__icontains=compact), Q(registration_number__icontains=compact)]
    return Q(*terms, join_type=Q.OR)
