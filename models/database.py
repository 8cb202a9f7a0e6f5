"""The Tortoise configuration for a database URL, schema migration, and the pool wrapper.

The pool wrapper is Tortoise's asyncpg backend with a bounded wait for a pooled connection.
Tortoise acquires from asyncpg's pool without a timeout, so a burst larger than the pool would
queue for as long as the connections stay busy. Here a request that cannot get a connection
within the acquire timeout fails with Unavailable (SERVICE_UNAVAILABLE) and may retry.
`tortoise_config` names this module as the engine (Tortoise looks up `client_class` in it).
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg
from tortoise import Tortoise
from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as run_migrations

from settings import Settings

APP = "models"


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(settings)},
        "apps": {APP: {"models": ["models"], "migrations": "models.migrations"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection(settings: Settings) -> str | dict[str, Any]:
    parts = urlsplit(settings.database_url)
    if parts.scheme == "sqlite":
        query = dict(parse_qsl(parts.query))
        # Wait for a writer in another process instead of failing at once with "database is
        # locked"; what still fails is retried by resolvers.atomic.
        query.setdefault("busy_timeout", str(settings.sqlite_busy_timeout_ms))
        query.setdefault("journal_mode", "WAL")
        # SQLite's LIKE ignores ASCII case unless told otherwise; PostgreSQL's never does.
        # Case-insensitive filters compare UPPER() on both sides, so they are unaffected.
        query.setdefault("case_sensitive_like", "ON")
        return urlunsplit(parts._replace(query=urlencode(query)))
    config = expand_db_url(settings.database_url)
    if config["engine"] != "tortoise.backends.asyncpg":
        return config
    credentials = config["credentials"]
    config["engine"] = __name__  # asyncpg with a bounded wait for a pooled connection
    credentials.setdefault("acquire_timeout", settings.db_acquire_timeout_seconds)
    credentials.setdefault("minsize", settings.db_pool_min)
    credentials.setdefault("maxsize", settings.db_pool_max)
    # A runaway statement is cancelled by the server instead of holding a pooled connection.
    server_settings = credentials.setdefault("server_settings", {})
    server_settings.setdefault("statement_timeout", str(settings.db_statement_timeout_ms))
    server_settings.setdefault("application_name", "partner-portal")
    credentials.setdefault("reset", _keep_session)
    return config


async def _keep_session(connection: object) -> None:
    """Hand a connection back to the pool without asyncpg's default reset query.

    asyncpg still rolls back a transaction left open and drops listeners before calling this.
    The default would add `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`,
    one extra round trip per pooled statement (a third of createCustomer's), to undo session
    state this app never creates: it issues no SET, LISTEN, session advisory lock or cursor
    (the job queue's advisory locks are transaction-scoped and end with their transaction),
    and the statement timeout is a connection setting that RESET ALL would keep anyway.
    """


async def dedicated_connection(settings: Settings, *, name: str) -> asyncpg.Connection:
    """A PostgreSQL connection of its own, outside the pool, for session state (LISTEN) that
    must not leak to pooled statements: the pool skips asyncpg's reset query (above)."""
    credentials = expand_db_url(settings.database_url)["credentials"]
    return await asyncpg.connect(
        host=credentials.get("host"),
        port=credentials.get("port"),
        user=credentials.get("user"),
        password=credentials.get("password"),
        database=credentials.get("database"),
        timeout=settings.db_acquire_timeout_seconds,
        server_settings={
            "application_name": name,
            "statement_timeout": str(settings.db_statement_timeout_ms),
        },
    )


async def migrate(settings: Settings) -> None:
    """Bring the schema up to date; safe to run on every start."""
    await run_migrations(config=tortoise_config(settings))
    await Tortoise.close_connections()


class Unavailable(Exception):
    """The database could not serve the request in time; the client may retry.

    Defined here, where the pool raises it, so models import nothing above them;
    `resolvers.errors` re-exports it as part of the domain's error tree.
    """

    extensions = {"code": "SERVICE_UNAVAILABLE"}


class _BoundedPool:
    def __init__(self, pool: asyncpg.Pool, timeout: float) -> None:
        self._pool = pool
        self._timeout = timeout

    async def acquire(self) -> Any:
        try:
            # Not asyncpg's own `timeout=`: it runs the acquisition as a task of its own
            # (asyncio.wait_for), 3% of a lookup by ID; a timer around it bounds the same wait.
            async with asyncio.timeout(self._timeout):
                return await self._pool.acquire()
        except TimeoutError as exc:
            raise Unavailable(
                "No database connection became free in time; try again in a moment."
            ) from exc

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:  # noqa: ASYNC109 - asyncpg's signature
        # asyncpg bounds a release (waiting for a cancelled query's acknowledgement, the
        # reset) by the timeout the acquisition was given, and terminates the connection when
        # it runs out; without `timeout=` above that would be no bound at all.
        await self._pool.release(connection, timeout=self._timeout if timeout is None else timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pool, name)


class BoundedAsyncpgClient(AsyncpgDBClient):
    def __init__(self, *args: Any, acquire_timeout: float = 5.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acquire_timeout = float(acquire_timeout)

    async def create_pool(self, **kwargs: Any) -> Any:
        return _BoundedPool(await super().create_pool(**kwargs), self.acquire_timeout)


client_class = BoundedAsyncpgClient
