"""Fixtures: every database test runs once per configured database, through HTTP.

SQLite always runs. PostgreSQL runs when PORTAL_TEST_POSTGRES_URL is set (`.ci/run` sets it);
under CI it is required, and an unreachable server fails the run instead of skipping it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from asgi_lifespan import LifespanManager
from tortoise import connections
from tortoise.backends.base.executor import EXECUTOR_CACHE

from graph.schema import PortalSchema
from models import Organization, OrganizationKind
from models.database import migrate
from portal.seed import seed_demo
from server.app import create_app
from settings import Settings
from tests.api import Api, World

POSTGRES_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
TEST_KEY = "test-signing-key-that-is-long-enough-for-hs256"


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") and not POSTGRES_URL:
        raise pytest.UsageError("CI must run the PostgreSQL suite: set PORTAL_TEST_POSTGRES_URL")


NO_POSTGRES = (
    "PostgreSQL suite OFF: every database test ran on SQLite only. "
    "Set PORTAL_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test_<name> to run it."
)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say it where nobody misses it: a green run without PostgreSQL proves half as much."""
    if not POSTGRES_URL:
        terminalreporter.write_sep("!", "WARNING: " + NO_POSTGRES, red=True, bold=True)


async def _fresh_postgres(url: str) -> None:
    dsn = url.replace("postgres://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn, timeout=10)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


@pytest.fixture(scope="session", params=BACKENDS)
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    if request.param == "postgres":
        await _fresh_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    else:
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'portal.sqlite3'}"
    # Tortoise caches each model's INSERT statement per connection *name*, so statements built
    # for SQLite would be reused against PostgreSQL (both are "default") in one process.
    EXECUTOR_CACHE.clear()
    await migrate(Settings(database_url=url))
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    # No background worker in the in-process app unless a test asks for one: tests that
    # start server processes must not have this process take their jobs.
    return Settings(database_url=database_url, jwt_key=TEST_KEY, jobs_in_server=False)


async def _reset() -> None:
    conn = connections.get("default")
    for table in (
        "webhook_delivery_attempt",
        "webhook_delivery",
        "webhook_endpoint",
        "webhook_event",
        "job",
        "import_row",
        "customer_import",
        "tax_id_verification_event",
        "tax_id_verification",
        "idempotency_record",
        "audit_entry",
        "status_change",
        "address",
        "contact",
    ):
        await conn.execute_script(f'DELETE FROM "{table}"')
    for kind in (
        OrganizationKind.CUSTOMER,
        OrganizationKind.RESELLER,
        OrganizationKind.DISTRIBUTOR,
    ):
        await Organization.filter(kind=kind).delete()
    await seed_demo()


ApiFactory = Callable[..., AbstractAsyncContextManager[Api]]


@pytest.fixture
def api_factory(settings: Settings) -> ApiFactory:
    """Start the app with setting overrides; the database is reset to the demo tree."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[Api]:
        if overrides.get("jobs_in_server"):
            # The previous test's jobs must be gone before this app's worker starts claiming.
            async with LifespanManager(create_app(replace(settings, jobs_in_server=False))):
                await _reset()
        app = create_app(replace(settings, **overrides))
        async with LifespanManager(app):
            await _reset()
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
                yield Api(client, app.state.tokens, await World.load(), app)

    return start


@pytest.fixture
async def api(api_factory: ApiFactory) -> AsyncIterator[Api]:
    async with api_factory() as started:
        yield started


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def pipeline_runs(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The documents that went through Strawberry's Schema.execute (the prepared paths,
    graph/execution/prepared.py, skip it)."""
    runs: list[str | None] = []
    original = PortalSchema.execute

    async def counting(self: PortalSchema, query: str | None, *args: Any, **kwargs: Any) -> Any:
        runs.append(query)
        return await original(self, query, *args, **kwargs)

    monkeypatch.setattr(PortalSchema, "execute", counting)
    return runs
