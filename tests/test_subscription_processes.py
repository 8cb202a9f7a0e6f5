"""Live events across processes on PostgreSQL: a subscriber on one server process hears of a
change made through another (LISTEN/NOTIFY, no broker), also after its LISTEN connection was
cut."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import asyncpg
import pytest

from settings import Settings
from tests.api import Api
from tests.builders import numbered
from tests.conftest import TEST_KEY, ApiFactory
from tests.live import subscribed
from tests.server import Server
from tests.test_subscriptions import create, transition

ENV = {
    "PORTAL_JWT_KEY": TEST_KEY,
    "PORTAL_JOBS_IN_SERVER": "false",
    "PORTAL_ACCESS_LOG": "false",
}
LISTENERS = "SELECT pid FROM pg_stat_activity WHERE application_name = 'partner-portal-listen'"


@pytest.fixture(scope="module")
def servers(database_url: str) -> Iterator[tuple[Server, Server]]:
    if not database_url.startswith("postgres"):
        pytest.skip("several server processes need PostgreSQL (SQLite serves one)")
    pair = (
        Server({"PORTAL_DATABASE_URL": database_url, **ENV}),
        Server({"PORTAL_DATABASE_URL": database_url, **ENV}),
    )
    try:
        for server in pair:
            server.start(timeout=60)
        yield pair
    finally:
        for server in pair:
            server.stop()


@pytest.fixture
async def api(api_factory: ApiFactory) -> AsyncIterator[Api]:
    async with api_factory() as started:
        yield started


async def _listeners(settings: Settings) -> set[int]:
    connection = await asyncpg.connect(
        settings.database_url.replace("postgres://", "postgresql://")
    )
    try:
        return {row["pid"] for row in await connection.fetch(LISTENERS)}
    finally:
        await connection.close()


async def test_a_change_made_through_one_process_reaches_a_subscriber_of_another(
    api: Api, servers: tuple[Server, Server]
) -> None:
    a, b = servers
    admin = api.token(api.world.reseller, "ADMIN")
    async with subscribed(a.url, admin) as on_a:
        customer = await create(b.url, admin, numbered(1))
        await transition(b.url, admin, "approveCustomer", {"id": customer["id"]})
        events = [await on_a.next() for _ in range(2)]
    assert [(e["type"], e["toStatus"]) for e in events] == [
        ("CUSTOMER_CREATED", "PENDING_APPROVAL"),
        ("CUSTOMER_STATUS_CHANGED", "ACTIVE"),
    ]
    assert {e["organization"]["id"] for e in events} == {customer["id"]}


async def test_a_cut_listen_connection_is_restored_and_misses_nothing(
    api: Api, servers: tuple[Server, Server], settings: Settings
) -> None:
    a, b = servers
    admin = api.token(api.world.reseller, "ADMIN")
    async with subscribed(a.url, admin) as on_a:
        # Only A has a subscriber, so the one LISTEN connection is A's.
        (before,) = await _listeners(settings)
        killer = await asyncpg.connect(
            settings.database_url.replace("postgres://", "postgresql://")
        )
        try:
            assert await killer.fetchval("SELECT pg_terminate_backend($1)", before)
        finally:
            await killer.close()
        # Changed at once, most likely before A has reconnected: the catch-up finds it.
        customer = await create(b.url, admin, numbered(1))
        event = await on_a.next(seconds=30)
        assert (event["type"], event["organization"]["id"]) == ("CUSTOMER_CREATED", customer["id"])
        async with asyncio.timeout(30):  # until A has opened a new LISTEN connection
            while True:
                if await _listeners(settings) - {before}:
                    break
                await asyncio.sleep(0.05)
        # ... and the restored connection hears what happens next.
        await transition(b.url, admin, "approveCustomer", {"id": customer["id"]})
        event = await on_a.next()
        assert (event["type"], event["toStatus"]) == ("CUSTOMER_STATUS_CHANGED", "ACTIVE")
