"""Tenancy: which organizations an actor may see.

Visible are the actor's own organization, its descendants and its ancestors. Everything
else must behave exactly as if it did not exist, so every lookup goes through `visible()`.
"""

from __future__ import annotations

from tortoise.expressions import Q

from resolvers.actors import Actor


def visible(actor: Actor) -> Q:
    """A filter on Organization that keeps only what `actor` may see."""
    own = actor.org_id
    # The tree is DISTRIBUTOR → RESELLER → CUSTOMER, so descendants are at most two levels down.
    scope = Q(id=own) | Q(parent_id=own) | Q(parent__parent_id=own)
    if actor.org_ancestors:
        scope |= Q(id__in=list(actor.org_ancestors))
    return scope
