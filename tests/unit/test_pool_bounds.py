"""The bounded pool (models/database.py) bounds both ends of a connection's loan."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from models.database import Unavailable, _BoundedPool


class _Pool:
    def __init__(self, free: bool) -> None:
        self.free = free
        self.released: list[dict[str, Any]] = []

    async def acquire(self, **kwargs: Any) -> str:
        assert kwargs == {}, "no timeout=: asyncpg would run the acquisition as a task"
        if not self.free:
            await asyncio.sleep(3600)
        return "connection"

    async def release(self, connection: str, **kwargs: Any) -> None:
        self.released.append({"connection": connection, **kwargs})


async def test_a_release_is_bounded_by_the_acquire_timeout() -> None:
    """asyncpg bounds a release (a cancelled query's acknowledgement, the reset) by the
    timeout the acquisition was given; acquiring without one left releases unbounded."""
    pool = _Pool(free=True)
    bounded = _BoundedPool(pool, 5.0)  # type: ignore[arg-type]
    await bounded.release(await bounded.acquire())
    await bounded.release("connection", timeout=1.0)
    assert pool.released == [
        {"connection": "connection", "timeout": 5.0},
        {"connection": "connection", "timeout": 1.0},
    ]


async def test_no_free_connection_in_time_is_unavailable() -> None:
    bounded = _BoundedPool(_Pool(free=False), 0.05)  # type: ignore[arg-type]
    with pytest.raises(Unavailable):
        await bounded.acquire()
