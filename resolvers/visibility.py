"""Tenancy: which organizations an actor may see.

Visible are the actor's own organization, its descendants and its ancestors. Everything
else must behave exactly as if it did not exist, so every lookup goes through `visible()`.
"""

from __future__ import annotations

from tortoise.expressions import Q

from models import OrganizationKind
from resolvers.actors import Actor


def visible(actor: Actor) -> Q:
    """A filter on Organization that keeps only what `actor` may see."""
    # The tree is one DISTRIBUTOR → RESELLERs → CUSTOMERs: the distributor's descendants are
    # every other row, and a reseller's are its direct children. Spelling the tree out keeps
    # the filter free of self-joins, which made counting scan the whole table.
    if actor.org_kind is OrganizationKind.DISTRIBUTOR:
        return Q()
    scope = Q(id=actor.org_id) | Q(parent_id=actor.org_id)
    if actor.org_ancestors:
        scope |= Q(id__in=list(actor.org_ancestors))
    return scope


def visible_sql(actor: Actor, first: int) -> tuple[str, list[object]]:
    """`visible()` as a condition on "organization" for hand-written statements
    (`resolvers.sql`), with its parameters numbered from `$first`: the same three cases."""
    if actor.org_kind is OrganizationKind.DISTRIBUTOR:
        return "TRUE", []
    condition = f'("id" = ${first} OR "parent_id" = ${first}'
    ancestors = list(actor.org_ancestors)
    if ancestors:
        listed = ", ".join(f"${first + 1 + i}" for i in range(len(ancestors)))
        condition += f' OR "id" IN ({listed})'
    return condition + ")", [actor.org_id, *ancestors]
