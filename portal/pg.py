"""Tortoise's asyncpg backend, with a bounded wait for a pooled connection.

Tortoise acquires from asyncpg's pool without a timeout, so a burst larger than the pool would
queue for as long as the connections stay busy. Here a request that cannot get a connection
within the acquire timeout fails with Unavailable (SERVICE_UNAVAILABLE) and may retry.
Configured as the engine by portal.db.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from tortoise.backends.asyncpg.client import AsyncpgDBClient

from resolvers.errors import Unavailable


class _BoundedPool:
    def __init__(self, pool: asyncpg.Pool, timeout: float) -> None:
        self._pool = pool
        self._timeout = timeout

    async def acquire(self) -> Any:
        try:
            return await self._pool.acquire(timeout=self._timeout)
        except TimeoutError as exc:
            raise Unavailable(
                "No database connection became free in time; try again in a moment."
            ) from exc

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


class BoundedAsyncpgClient(AsyncpgDBClient):
    def __init__(self, *args: Any, acquire_timeout: float = 5.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acquire_timeout = float(acquire_timeout)

    async def create_pool(self, **kwargs: Any) -> Any:
        return _BoundedPool(await super().create_pool(**kwargs), self.acquire_timeout)


client_class = BoundedAsyncpgClient
