"""Tenancy: which organizations an actor may see, defined once and rendered twice.

Visible are the actor's own organization, its descendants and its ancestors. Everything
else must behave exactly as if it did not exist, so every lookup goes through this module.

`scope()` states the rule once, as data: a row is visible when one of its columns holds one
of the listed IDs (or always, for the distributor). `visible()` renders that for Tortoise
(lists, counts) and `visible_sql()` for hand-written statements (lookups by ID, `resolvers.sql`);
neither knows the rule, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from tortoise.expressions import Q

from models import OrganizationKind
from resolvers.actors import Actor


@dataclass(frozen=True, slots=True)
class Scope:
    """Visible rows: any row when `everything`, else those where some `column IN ids`."""

    everything: bool
    any_of: tuple[tuple[str, tuple[UUID, ...]], ...] = ()


def scope(actor: Actor) -> Scope:
    # The tree is one DISTRIBUTOR → RESELLERs → CUSTOMERs: the distributor's descendants are
    # every other row, and a reseller's are its direct children. Spelling the tree out keeps
    # the filter free of self-joins, which made counting scan the whole table.
    if actor.org_kind is OrganizationKind.DISTRIBUTOR:
        return Scope(everything=True)
    return Scope(
        everything=False,
        any_of=(("id", (actor.org_id, *actor.org_ancestors)), ("parent_id", (actor.org_id,))),
    )


def visible(actor: Actor) -> Q:
    """A filter on Organization that keeps only what `actor` may see."""
    rule = scope(actor)
    if rule.everything:
        return Q()
    return Q(*(_q(column, ids) for column, ids in rule.any_of), join_type=Q.OR)


def _q(column: str, ids: tuple[UUID, ...]) -> Q:
    lookup: dict[str, Any] = {column: ids[0]} if len(ids) == 1 else {f"{column}__in": list(ids)}
    return Q(**lookup)


def visible_sql(actor: Actor, first: int) -> tuple[str, list[object]]:
    """`visible()` as a condition on "organization" for hand-written statements, with its
    parameters numbered from `$first`."""
    rule = scope(actor)
    if rule.everything:
        return "TRUE", []
    conditions: list[str] = []
    args: list[object] = []
    for column, ids in rule.any_of:
        listed = ", ".join(f"${first + len(args) + i}" for i in range(len(ids)))
        conditions.append(
            f'"{column}" = {listed}' if len(ids) == 1 else f'"{column}" IN ({listed})'
        )
        args.extend(ids)
    return "(" + " OR ".join(conditions) + ")", args
