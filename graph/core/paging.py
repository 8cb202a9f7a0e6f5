"""Relay cursors and offset paging, reduced to one (offset, limit) window; the Relay
`Edge`/`Connection` plumbing every list shares.

Cursors encode a position in the sorted list. Every sort order ends with creation order and
the ID, so a position always means the same row while the data stands still.

A list's types are two small subclasses, so each keeps its own name and descriptions in the
printed schema while the fields and the building live here once:

```python
@strawberry.type(description="An entry in a list, with its cursor.")
class EntryEdge(Edge[Entry]):
    node: Entry = strawberry.field(description="The entry.")

@strawberry.type(description="A page of entries.")
class EntryConnection(Connection[EntryEdge, Entry]):
    ...  # its own fields (totalCount) and private state after edges, nodes, pageInfo

EntryConnection.page(nodes, offset=start, has_next=more)
```
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, Self, TypeVar, get_args, get_origin

import strawberry

from graph.core.errors import BadUserInput
from resolvers.listing import Window

DEFAULT_PAGE_SIZE = 100


def cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"position:{position}".encode()).decode()


# Past any real list, and within what both databases take as an OFFSET (a position of 2^63
# overflowed their 64-bit integers into a 500).
MAX_POSITION = 2**31 - 1


def position(value: str) -> int:
    try:
        kind, _, raw = base64.urlsafe_b64decode(value.encode("ascii")).decode().partition(":")
        if kind == "position" and raw.isascii() and raw.isdigit() and len(raw) <= 10:
            if (found := int(raw)) <= MAX_POSITION:
                return found
    except (ValueError, UnicodeError):
        pass
    raise BadUserInput("Invalid cursor: pass a cursor this list returned.")


@strawberry.type(description="Where a page sits in the whole list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More rows after this page.")
    has_previous_page: bool = strawberry.field(description="Rows before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the first row.")
    end_cursor: str | None = strawberry.field(description="Cursor of the last row.")


NodeT = TypeVar("NodeT")
EdgeT = TypeVar("EdgeT", bound="Edge[Any]")


@strawberry.type
class Edge(Generic[NodeT]):
    """A row and its cursor; a subclass names it and describes its `node`."""

    cursor: str = strawberry.field(description="Pass as `after` to page from here.")
    node: NodeT


@strawberry.type
class Connection(Generic[EdgeT, NodeT]):
    """A page of rows; a subclass `Connection[XEdge, X]` names it and adds its own fields."""

    edges: list[EdgeT] = strawberry.field(description="Rows with cursors.")
    nodes: list[NodeT] = strawberry.field(description="Rows without cursors.")
    page_info: PageInfo = strawberry.field(description="Paging state.")

    @classmethod
    def page(cls, nodes: Sequence[NodeT], *, offset: int, has_next: bool, **fields: Any) -> Self:
        """The rows at `offset`, `offset + 1`, ... of the list; `fields`: the subclass's own."""
        positions = range(offset, offset + len(nodes))
        return cls.at(positions, nodes, has_next=has_next, has_previous=offset > 0, **fields)

    @classmethod
    def at(
        cls,
        positions: Sequence[int],
        nodes: Sequence[NodeT],
        *,
        has_next: bool,
        has_previous: bool,
        **fields: Any,
    ) -> Self:
        """The rows with their own positions (a list paged by a key, not by an offset)."""
        edge = _edge_type(cls)
        return cls(
            edges=[edge(cursor=cursor(p), node=n) for p, n in zip(positions, nodes, strict=True)],
            nodes=list(nodes),
            page_info=PageInfo(
                has_next_page=has_next,
                has_previous_page=has_previous,
                start_cursor=cursor(positions[0]) if positions else None,
                end_cursor=cursor(positions[-1]) if positions else None,
            ),
            **fields,
        )


def _edge_type(connection: type) -> Callable[..., Any]:
    """The `XEdge` a connection names in its base `Connection[XEdge, X]`."""
    for base in getattr(connection, "__orig_bases__", ()):
        if get_origin(base) is Connection:
            return get_args(base)[0]
    raise TypeError(f"{connection.__name__} must subclass Connection[SomeEdge, Some]")


async def window(
    *,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    limit: int | None,
    offset: int | None,
    max_size: int,
    total: Callable[[], Awaitable[int]],
) -> Window:
    """The rows to fetch. Sizes above `max_size` are clamped, not refused: refine sends a huge
    limit when its pagination is off, and that must still work."""
    for name, value in (("first", first), ("last", last), ("limit", limit), ("offset", offset)):
        if value is not None and value < 0:
            raise BadUserInput(f"`{name}` must not be negative.")
    if first is not None and last is not None:
        # Relay allows both but discourages it, and no client needs it: the answer would be
        # the last `last` of the first `first`, which nobody reads the same way.
        raise BadUserInput("Pass `first` or `last`, not both.")

    def clamp(size: int | None) -> int:
        return min(max_size, DEFAULT_PAGE_SIZE if size is None else size)

    if limit is not None or offset is not None:
        return Window(offset or 0, clamp(limit))
    start = position(after) + 1 if after else 0
    end = position(before) if before else None
    if last is not None and first is None:
        end = await total() if end is None else end
        begin = max(start, end - clamp(last))
        return Window(begin, max(0, end - begin))
    size = clamp(first)
    if end is not None:
        size = max(0, min(size, end - start))
    return Window(start, size)


async def forward_window(*, first: int | None, after: str | None, max_size: int) -> Window:
    """`window` for a list that pages forward only (`first`/`after`): it never needs a total."""

    async def no_total() -> int:
        raise AssertionError("forward paging needs no total")

    return await window(
        first=first,
        after=after,
        last=None,
        before=None,
        limit=None,
        offset=None,
        max_size=max_size,
        total=no_total,
    )
