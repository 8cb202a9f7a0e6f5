"""Guarantees under real concurrency and faults, against a uvicorn process on each database.

The in-process tests share one connection pool and event loop with the app; these send
requests over TCP to a separate server process, and kill it with SIGKILL mid-stream.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from models import (
    Address,
    AuditEntry,
    Contact,
    IdempotencyRecord,
    Organization,
    OrganizationKind,
    StatusChange,
)
from settings import Settings
from tests.api import Api
from tests.builders import SECOND, customer_input, numbered
from tests.conftest import TEST_KEY
from tests.queries import APPROVE, CREATE, LIST, REJECT
from tests.server import Server
from tests.waiting import until

# `.ci/run` keeps these modest; raise them for a longer soak run.
SOAK_ROUNDS = int(os.environ.get("PORTAL_SOAK_ROUNDS", "2"))
BURST = int(os.environ.get("PORTAL_BURST", "200"))

StartServer = Callable[..., Any]


@pytest.fixture
def start_server(settings: Settings, api: Api) -> StartServer:
    @asynccontextmanager
    async def start(**env: str) -> AsyncIterator[Server]:
        server = Server(
            {
                "PORTAL_DATABASE_URL": settings.database_url,
                "PORTAL_JWT_KEY": TEST_KEY,
                **env,
            }
        )
        await asyncio.to_thread(server.start)
        try:
            await _sees_the_seeded_tree(server, api)
            yield server
        finally:
            await asyncio.to_thread(server.stop)

    return start


async def _sees_the_seeded_tree(server: Server, api: Api) -> None:
    """Ready means the server answers as the reseller seeded for this test. Once in a CI run
    (not reproduced since) a fresh server answered every request of a burst with "the token's
    organization does not exist"; this check tells that apart from the behaviour under test."""
    token = api.token(api.world.reseller, "VIEWER")
    async with httpx.AsyncClient(base_url=server.url) as client:
        for _ in range(20):
            body = (
                await client.post(
                    "/graphql",
                    json={"query": "{ viewer { subject } }"},
                    headers={"Authorization": f"Bearer {token}"},
                )
            ).json()
            if body.get("data", {}).get("viewer"):
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"the server does not see this test's organizations: {body}")


async def _post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def test_concurrent_duplicates_give_one_customer_and_field_errors(
    api: Api, start_server: StartServer
) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    forms = [customer_input(SECOND if i % 2 else None, erpId="SAME") for i in range(12)]
    async with start_server() as server, httpx.AsyncClient(base_url=server.url) as client:
        results = await asyncio.gather(
            *(_post(client, CREATE, {"input": form}, token) for form in forms)
        )
    assert len([r for r in results if not r["errors"]]) == 1
    for loser in (r for r in results if r["errors"]):
        assert ["erpId"] in [e["field"] for e in loser["errors"]]
        assert {e["code"] for e in loser["errors"]} == {"DUPLICATE"}
    assert await Organization.filter(kind=OrganizationKind.CUSTOMER).count() == 1


async def test_concurrent_retries_with_one_key_create_one_customer(
    api: Api, start_server: StartServer
) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    form = customer_input(idempotencyKey="double-click")
    async with start_server() as server, httpx.AsyncClient(base_url=server.url) as client:
        results = await asyncio.gather(
            *(_post(client, CREATE, {"input": form}, token) for _ in range(10))
        )
    assert all(not r["errors"] for r in results), results
    assert len({r["customer"]["id"] for r in results}) == 1
    assert await Organization.filter(kind=OrganizationKind.CUSTOMER).count() == 1


async def test_concurrent_approve_and_reject_make_one_transition(
    api: Api, start_server: StartServer
) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    created = await api.gql(CREATE, {"input": customer_input()}, token=token)
    customer = created.data["createCustomer"]["customer"]["id"]
    async with start_server() as server, httpx.AsyncClient(base_url=server.url) as client:
        results = await asyncio.gather(
            *(_post(client, APPROVE, {"input": {"id": customer}}, token) for _ in range(6)),
            *(
                _post(client, REJECT, {"input": {"id": customer, "reason": "no"}}, token)
                for _ in range(6)
            ),
        )
    assert len([r for r in results if not r["errors"]]) == 1
    codes = {e["code"] for r in results for e in r["errors"]}
    assert codes == {"INVALID_STATUS_TRANSITION"}
    assert await StatusChange.filter(from_status="PENDING_APPROVAL").count() == 1


SUSPEND = """
mutation($input: SuspendCustomerInput!) {
  suspendCustomer(input: $input) { customer { status version } errors { field code } }
}
"""


async def test_twenty_racing_suspends_make_one_transition(
    api: Api, start_server: StartServer
) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    created = await api.gql(CREATE, {"input": customer_input()}, token=token)
    customer = created.data["createCustomer"]["customer"]["id"]
    await api.gql(APPROVE, {"input": {"id": customer}}, token=token)
    tokens = [api.token(api.world.reseller, "ADMIN", sub=f"s{i}") for i in range(20)]
    async with start_server() as server, httpx.AsyncClient(base_url=server.url) as client:
        results = await asyncio.gather(
            *(
                _post(client, SUSPEND, {"input": {"id": customer, "reason": "unpaid"}}, t)
                for t in tokens
            )
        )
    winners = [r for r in results if not r["errors"]]
    assert len(winners) == 1
    assert winners[0]["customer"] == {"status": "SUSPENDED", "version": 3}
    assert all(
        r["errors"] == [{"field": ["id"], "code": "INVALID_STATUS_TRANSITION"}]
        for r in results
        if r["errors"]
    )
    assert await StatusChange.filter(to_status="SUSPENDED").count() == 1
    assert await AuditEntry.filter(to_status="SUSPENDED").count() == 1


async def test_sigkill_mid_stream_leaves_no_partial_customer(
    api: Api, start_server: StartServer
) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    sent = 0
    answered = [0]  # answers in the current round
    for _ in range(SOAK_ROUNDS):
        async with start_server() as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
                answered[0] = 0

                async def stream(start: int) -> None:
                    for n in range(start, start + 10_000, 4):
                        try:
                            await client.post(
                                "/graphql",
                                json={
                                    "query": CREATE,
                                    "variables": {
                                        "input": numbered(n) | {"idempotencyKey": f"kill-{n}"}
                                    },
                                },
                                headers={"Authorization": f"Bearer {token}"},
                            )
                            answered[0] += 1
                        except httpx.TransportError:
                            return

                streams = [asyncio.create_task(stream(sent + i)) for i in range(4)]
                # Killed while all four streams are writing, after each had a few answers.
                await until(lambda: answered[0] >= 20, "the streams have created customers")
                await asyncio.to_thread(server.kill)
                await asyncio.gather(*streams)
            sent += 10_000
    customers = await Organization.filter(kind=OrganizationKind.CUSTOMER).values_list(
        "id", flat=True
    )
    assert customers, "the stream created nothing before the kill"
    for model in (Address, Contact):
        rows = await model.filter(organization_id__in=customers).values_list(
            "organization_id", flat=True
        )
        assert sorted(rows) == sorted(customers)
    history = await StatusChange.filter(organization_id__in=customers).values_list(
        "organization_id", flat=True
    )
    assert sorted(history) == sorted(customers)
    # Every customer's key was remembered with it, and no key outlived its customer.
    keyed = await IdempotencyRecord.all().values_list("customer_id", flat=True)
    assert sorted(keyed) == sorted(customers)


async def test_a_burst_on_a_small_pool_completes_or_fails_clearly(
    api: Api, start_server: StartServer, settings: Settings
) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    async with start_server(PORTAL_DB_POOL_MAX="5") as server:
        limits = httpx.Limits(max_connections=BURST)
        async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as client:

            async def one() -> httpx.Response:
                return await client.post(
                    "/graphql",
                    json={"query": LIST, "variables": {"first": 20}},
                    headers={"Authorization": f"Bearer {token}"},
                )

            responses = await asyncio.wait_for(
                asyncio.gather(*(one() for _ in range(BURST))), timeout=90
            )
    assert {r.status_code for r in responses} <= {200, 503}
    answered = 0
    for response in responses:
        body = response.json()
        if response.status_code == 200 and "errors" not in body:
            # The reseller sees itself and its distributor.
            assert len(body["data"]["organizations"]["nodes"]) == 2
            answered += 1
        else:
            assert body["errors"][0]["extensions"]["code"] in {
                "SERVICE_UNAVAILABLE",
                "OPERATION_TIMEOUT",
            }
    # A small pool serves a burst slower, not not at all: five connections, each statement a
    # few milliseconds, and seconds to wait for one, so most requests get their answer.
    assert answered >= len(responses) // 2, f"only {answered} of {len(responses)} answered"
