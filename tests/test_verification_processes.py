"""Tax-ID checks across real server processes: a server killed mid-check, and two servers on
one PostgreSQL database sharing the work (against the registry simulator)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from models import Job, JobStatus
from settings import Settings
from tests.api import Api
from tests.builders import customer_input, numbered
from tests.conftest import TEST_KEY
from tests.jobs import wait_for
from tests.registries import Simulator, simulator
from tests.server import Server

CREATE = """
mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) { customer { id taxIdVerification { status } } errors { code } }
}
"""
STATE = """
query State($id: ID!) {
  organization(id: $id) { taxIdVerification { status attempts registeredName } }
}
"""


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    with simulator() as running:
        yield running


@asynccontextmanager
async def server(settings: Settings, sim: Simulator, **env: str) -> AsyncIterator[Server]:
    process = Server(
        {
            "PORTAL_DATABASE_URL": settings.database_url,
            "PORTAL_JWT_KEY": TEST_KEY,
            "PORTAL_JOB_POLL_SECONDS": "0.05",
            "PORTAL_VERIFICATION_RETRY_SECONDS": "0.1,0.1,0.1",
            "PORTAL_ACCESS_LOG": "false",
            **sim.env(),
            **env,
        }
    )
    await asyncio.to_thread(process.start)
    try:
        yield process
    finally:
        await asyncio.to_thread(process.stop)


async def _gql(base: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def _create(base: str, token: str, data: dict[str, Any]) -> str:
    created = (await _gql(base, token, CREATE, {"input": data}))["createCustomer"]
    assert (
        created["errors"] == [] and created["customer"]["taxIdVerification"]["status"] == "PENDING"
    )
    return created["customer"]["id"]


async def _until_settled(base: str, token: str, customer: str, seen: list[str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        state = (await _gql(base, token, STATE, {"id": customer}))["organization"][
            "taxIdVerification"
        ]
        seen.append(state["status"])
        if state["status"] != "PENDING":
            return state
        assert time.monotonic() < deadline, state
        await asyncio.sleep(0.1)


async def test_a_server_killed_mid_check_finishes_it_after_restart(
    api: Api, settings: Settings, sim: Simulator
) -> None:
    sim.registries.reset()
    # The first call hangs (the server dies during it); the second answers.
    sim.registries.program("NL006486253B01", "slow", times=1, delay=60)
    token = api.token(api.world.reseller, "ACCOUNT_MANAGER")
    seen: list[str] = []
    async with server(settings, sim, PORTAL_JOB_LEASE_SECONDS="2") as doomed:
        customer = await _create(doomed.url, token, customer_input())

        async def calling() -> bool:
            return bool(sim.registries.calls_for("NL006486253B01"))

        await wait_for(calling, what="the first registry call")
        doomed.kill()
    job = await Job.get(task="verify_tax_id")
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)  # held by a dead server
    async with server(settings, sim, PORTAL_JOB_LEASE_SECONDS="2") as restarted:
        state = await _until_settled(restarted.url, token, customer, seen)
    assert state == {"status": "VERIFIED", "attempts": 2, "registeredName": "COPACO NEDERLAND B.V."}
    assert "INVALID" not in seen  # not on the way either
    assert [c["answer"] for c in sim.registries.calls_for("NL006486253B01")] == ["slow", "valid"]


async def test_two_servers_on_one_database_call_the_registry_once_per_attempt(
    api: Api, settings: Settings, sim: Simulator
) -> None:
    if not settings.database_url.startswith("postgres"):
        pytest.skip("several server processes on one database need PostgreSQL")
    sim.registries.reset()
    customers = [numbered(n) for n in range(20)]
    for data in customers:  # each number is busy once, then valid: two attempts each
        sim.registries.program(data["taxId"], "busy", times=1)
    token = api.token(api.world.reseller, "ACCOUNT_MANAGER")
    async with server(settings, sim) as first, server(settings, sim) as second:
        ids = await asyncio.gather(
            *(_create((first, second)[n % 2].url, token, data) for n, data in enumerate(customers))
        )
        for customer in ids:
            state = await _until_settled(first.url, token, customer, [])
            assert (state["status"], state["attempts"]) == ("VERIFIED", 2)
    calls = Counter(c["taxId"] for c in sim.registries.calls)
    assert calls == Counter({data["taxId"]: 2 for data in customers})
    assert sim.registries.peak["VIES"] <= 2  # the registry's concurrency, across both servers
