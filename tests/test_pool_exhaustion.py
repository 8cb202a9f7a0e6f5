"""A request that cannot get a PostgreSQL connection in time fails fast and says so."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from settings import Settings
from tests.conftest import ApiFactory

QUERY = "{ organizations { totalCount } }"


@pytest.fixture
def postgres(settings: Settings) -> None:
    if settings.database_url.startswith("sqlite://"):
        pytest.skip("SQLite has one connection and no pool to wait for")


async def test_a_full_pool_answers_service_unavailable(
    api_factory: ApiFactory, postgres: None
) -> None:
    async with api_factory(db_pool_min=1, db_pool_max=1, db_acquire_timeout_seconds=0.3) as api:
        token = api.token(api.world.reseller, "VIEWER")
        assert (await api.gql(QUERY, token=token)).data["organizations"]["totalCount"] == 2
        holding, release = asyncio.Event(), asyncio.Event()

        async def hold_the_only_connection() -> None:
            async with in_transaction():
                holding.set()
                await release.wait()

        holder = asyncio.create_task(hold_the_only_connection())
        await holding.wait()
        try:
            # Authentication remembers the organization, and the first request prepared the
            # read: the only statement is the read's, which gives up after the timeout.
            response = await api.post(QUERY, token=token)
        finally:
            release.set()
            await holder
        assert response.status_code == 503, response.text
        assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        # Once the connection is back, the same request works.
        assert (await api.gql(QUERY, token=token)).data["organizations"]["totalCount"] == 2
