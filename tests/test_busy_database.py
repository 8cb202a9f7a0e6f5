"""SQLite allows one writer: a lock held elsewhere is waited for, retried, then reported."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from models import Organization, OrganizationKind
from settings import Settings
from tests.builders import customer_input
from tests.conftest import ApiFactory
from tests.queries import CREATE


@pytest.fixture
def sqlite_file(settings: Settings) -> str:
    if not settings.database_url.startswith("sqlite://"):
        pytest.skip("PostgreSQL has row locks; 'database is locked' is SQLite's alone")
    return settings.database_url.removeprefix("sqlite://")


async def test_a_held_write_lock_gives_service_unavailable_then_works(
    api_factory: ApiFactory, sqlite_file: str
) -> None:
    async with api_factory(sqlite_busy_timeout_ms=20) as api:
        token = api.token(api.world.reseller, "ADMIN")
        other = sqlite3.connect(sqlite_file, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process writing, for as long as it likes
        try:
            blocked = await api.gql(CREATE, {"input": customer_input()}, token=token)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert blocked["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert "busy" in blocked["errors"][0]["message"]
        assert await Organization.filter(kind=OrganizationKind.CUSTOMER).count() == 0
        created = await api.gql(CREATE, {"input": customer_input()}, token=token)
        assert created.data["createCustomer"]["errors"] == []


async def test_a_short_lock_is_waited_out(api_factory: ApiFactory, sqlite_file: str) -> None:
    async with api_factory(sqlite_busy_timeout_ms=20) as api:
        token = api.token(api.world.reseller, "ADMIN")
        other = sqlite3.connect(sqlite_file, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")

        async def release_soon() -> None:
            await asyncio.sleep(0.1)
            other.execute("ROLLBACK")

        try:
            created, _ = await asyncio.gather(
                api.gql(CREATE, {"input": customer_input()}, token=token), release_soon()
            )
        finally:
            other.close()
        assert created.data["createCustomer"]["errors"] == []
