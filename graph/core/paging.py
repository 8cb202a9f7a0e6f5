"""Relay cursors and offset paging, reduced to one (offset, limit) window.

Cursors encode a position in the sorted list. Every sort order ends with creation order and
the ID, so a position always means the same row while the data stands still.
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable

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


def page_info(offset: int, count: int, has_next: bool) -> PageInfo:
    return PageInfo(
        has_next_page=has_next,
        has_previous_page=offset > 0,
        start_cursor=cursor(offset) if count else None,
        end_cursor=cursor(offset + count - 1) if count else None,
    )


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
