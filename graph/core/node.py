"""The `Node` interface and its registry: how `node(id:)` finds any object by its global ID.

Each domain registers its node types next to their definitions (`@node_loader(Organization)`),
so a new type becomes fetchable by `node(id:)` without touching the query that serves it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar
from uuid import UUID

import strawberry

from graph.core.context import Info
from graph.core.errors import BadUserInput
from resolvers import global_id


@strawberry.interface(description="An object with a global ID, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Opaque global ID.")


N = TypeVar("N", bound=Node)
Loader = Callable[[Info, UUID], Awaitable[N | None]]
_LOADERS: dict[str, Loader[Node]] = {}
_TYPES: list[type[Node]] = []


def node_loader(type_: type[N]) -> Callable[[Loader[N]], Loader[N]]:
    """Register how to load `type_` by the UUID inside its global ID (None: missing or not
    visible to the actor; the two must look the same). The global ID's type is the class name."""

    def register(load: Loader[N]) -> Loader[N]:
        name = type_.__name__
        if name in _LOADERS:
            raise ValueError(f"node type {name} is registered twice")
        _LOADERS[name] = load
        _TYPES.append(type_)
        return load

    return register


def node_types() -> list[type[Node]]:
    """Every registered node type, for the schema's `types` (kept when no field returns it)."""
    return list(_TYPES)


async def resolve_node(info: Info, id: str) -> Node | None:
    decoded = global_id.decode(id)
    if decoded is None:
        return None
    type_name, uuid = decoded
    load = _LOADERS.get(type_name)
    return await load(info, uuid) if load else None


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by global ID; null when missing or not visible.")
    async def node(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")],
    ) -> Node | None:
        info.context.require_actor()
        return await resolve_node(info, id)

    @strawberry.field(description="Objects by global ID, in order; null where missing.")
    async def nodes(
        self,
        info: Info,
        ids: Annotated[list[strawberry.ID], strawberry.argument(description="Global IDs.")],
    ) -> list[Node | None]:
        info.context.require_actor()
        # Gathered, so the DataLoaders batch every ID into one query per type.
        limit = info.context.settings.max_page_size
        if len(ids) > limit:
            # Clients line answers up with IDs by position, so never answer fewer.
            raise BadUserInput(f"Ask for at most {limit} IDs at once (PORTAL_MAX_PAGE_SIZE).")
        return list(await asyncio.gather(*(resolve_node(info, id) for id in ids)))
