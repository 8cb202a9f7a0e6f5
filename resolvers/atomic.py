"""Run a unit of work in one transaction, retrying briefly when SQLite reports a locked database.

SQLite allows one writer at a time. Within a process Tortoise serialises transactions; between
processes the busy timeout makes a writer wait, and what still fails with "database is locked"
is retried a bounded number of times, then reported as Unavailable instead of a stack trace.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tortoise.exceptions import OperationalError
from tortoise.transactions import in_transaction

from resolvers.errors import Unavailable

T = TypeVar("T")

ATTEMPTS = 4
FIRST_BACKOFF_SECONDS = 0.05


async def atomic(work: Callable[[], Awaitable[T]]) -> T:
    for attempt in range(ATTEMPTS):
        try:
            async with in_transaction():
                return await work()
        except OperationalError as exc:
            if "database is locked" not in str(exc):
                raise
            if attempt == ATTEMPTS - 1:
                raise Unavailable("The database is busy; try again in a moment.") from exc
            await asyncio.sleep(FIRST_BACKOFF_SECONDS * 2**attempt)
    raise AssertionError("unreachable")
