"""Webhooks across processes: a server killed with SIGKILL right after a change loses no
event; the next process delivers it."""

from __future__ import annotations

import asyncio

import httpx
from standardwebhooks import Webhook

from settings import Settings
from tests.builders import numbered
from tests.conftest import TEST_KEY, ApiFactory
from tests.queries import CREATE
from tests.receiver import receiver
from tests.server import Server
from tests.webhooks import deliveries, eventually, register


def _env(settings: Settings, *, jobs: bool) -> dict[str, str]:
    return {
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_JWT_KEY": TEST_KEY,
        "PORTAL_JOBS_IN_SERVER": "true" if jobs else "false",
        "PORTAL_JOB_POLL_SECONDS": "0.05",
        "PORTAL_WEBHOOK_ALLOW_PRIVATE": "true",
        "PORTAL_ACCESS_LOG": "false",
    }


async def test_a_change_made_just_before_sigkill_is_delivered_after_restart(
    api_factory: ApiFactory, settings: Settings
) -> None:
    async with (
        receiver() as hooks,
        api_factory(jobs_in_server=False, webhook_allow_private=True) as api,
    ):
        _, secret = await register(api, hooks.url)
        first = Server(_env(settings, jobs=False))
        await asyncio.to_thread(first.start)
        try:
            async with httpx.AsyncClient(base_url=first.url) as client:
                token = api.token(api.world.reseller, "ADMIN")
                response = await client.post(
                    "/graphql",
                    json={"query": CREATE, "variables": {"input": numbered(1)}},
                    headers={"Authorization": f"Bearer {token}"},
                )
            created = response.json()["data"]["createCustomer"]
            assert created["errors"] == []
        finally:
            first.kill()  # no shutdown hooks, no chance to send anything
        assert hooks.received == []
        second = Server(_env(settings, jobs=True))
        await asyncio.to_thread(second.start)
        try:
            (got,) = await hooks.wait(lambda r: len(r) >= 1, seconds=30)
            payload = Webhook(secret).verify(got.body, got.headers)
            assert payload["type"] == "customer.created"
            assert payload["data"]["organization"]["id"] == created["customer"]["id"]

            async def recorded() -> bool:
                return [d["status"] for d in await deliveries(api)] == ["SUCCEEDED"]

            await eventually(recorded)
        finally:
            await asyncio.to_thread(second.stop)
        assert len(hooks.received) == 1
