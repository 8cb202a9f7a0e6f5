"""The Tortoise configuration for a database URL, and schema migration."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from portal.settings import Settings

APP = "models"


def tortoise_config(settings: Settings) -> dict[str, Any]:
    url = settings.database_url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if parts.scheme in {"postgres", "postgresql", "asyncpg"}:
        query.setdefault("minsize", str(settings.db_pool_min))
        query.setdefault("maxsize", str(settings.db_pool_max))
    elif parts.scheme == "sqlite":
        # Wait for a concurrent writer instead of failing at once with "database is locked".
        query.setdefault("busy_timeout", str(settings.sqlite_busy_timeout_ms))
        query.setdefault("journal_mode", "WAL")
    url = urlunsplit(parts._replace(query=urlencode(query)))
    return {
        "connections": {"default": url},
        "apps": {APP: {"models": ["models"], "migrations": "models.migrations"}},
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(settings: Settings) -> None:
    """Bring the schema up to date; safe to run on every start."""
    await run_migrations(config=tortoise_config(settings))
    await Tortoise.close_connections()
