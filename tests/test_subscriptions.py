"""organizationEvents through a real WebSocket client against a real uvicorn server, on both
databases: what a subscriber receives, in which order, what it may not see, and what the
server refuses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from models import Organization
from resolvers.tokens import LEEWAY_SECONDS
from tests.api import Api
from tests.builders import COPACO, customer_input, numbered
from tests.conftest import TEST_KEY, ApiFactory
from tests.live import live, subscribed, until_subscribed
from tests.queries import CREATE
from tests.server import Server, serving

ENV = {
    "PORTAL_JWT_KEY": TEST_KEY,
    "PORTAL_JOBS_IN_SERVER": "false",  # no tax-ID verdicts between the events a test expects
    "PORTAL_ACCESS_LOG": "false",
    "PORTAL_SUBSCRIPTION_POLL_SECONDS": "0.05",
}
TRANSITION = (
    "mutation($input: {Input}!) {{ {name}(input: $input) {{ customer {{ id status version }} "
    "errors {{ field code message }} }} }}"
)
UPDATE = """
mutation($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) { customer { id version } errors { field code message } }
}
"""


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[Server]:
    with serving({"PORTAL_DATABASE_URL": database_url, **ENV}) as process:
        yield process


@pytest.fixture
async def api(api_factory: ApiFactory, server: Server) -> AsyncIterator[Api]:
    async with api_factory() as started:
        await until_subscribed(server.url, 0)
        yield started


async def gql(url: str, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    (payload,) = body["data"].values()
    assert payload["errors"] == [], payload
    return payload


async def create(url: str, token: str, data: dict[str, Any]) -> dict[str, Any]:
    return (await gql(url, token, CREATE, {"input": data}))["customer"]


async def transition(url: str, token: str, name: str, input: dict[str, Any]) -> dict[str, Any]:
    document = TRANSITION.format(Input=name[0].upper() + name[1:] + "Input", name=name)
    return (await gql(url, token, document, {"input": input}))["customer"]


async def test_a_customers_life_arrives_in_order_with_its_facts(api: Api, server: Server) -> None:
    admin = api.token(api.world.reseller, "ADMIN")
    async with subscribed(server.url, admin) as client:
        customer = await create(server.url, admin, customer_input())
        await transition(server.url, admin, "approveCustomer", {"id": customer["id"]})
        await transition(
            server.url, admin, "suspendCustomer", {"id": customer["id"], "reason": "x"}
        )
        await gql(
            server.url,
            admin,
            UPDATE,
            {"input": {"id": customer["id"], "expectedVersion": 3, "erpId": "XYZ-9"}},
        )
        events = [await client.next() for _ in range(4)]
    assert [(e["type"], e["fromStatus"], e["toStatus"]) for e in events] == [
        ("CUSTOMER_CREATED", None, "PENDING_APPROVAL"),
        ("CUSTOMER_STATUS_CHANGED", "PENDING_APPROVAL", "ACTIVE"),
        ("CUSTOMER_STATUS_CHANGED", "ACTIVE", "SUSPENDED"),
        ("CUSTOMER_UPDATED", None, None),
    ]
    assert {e["organization"]["id"] for e in events} == {customer["id"]}
    assert events[-1]["changes"] == [{"field": "erpId", "oldValue": "123", "newValue": "XYZ-9"}]
    # Each event shows the organization as it is when the event is sent, with fresh loaders.
    assert events[-1]["organization"]["status"] == "SUSPENDED"
    assert events[0]["organization"]["parent"] == {"id": api.world.reseller}
    assert len({e["id"] for e in events}) == 4
    assert [e["occurredAt"] for e in events] == sorted(e["occurredAt"] for e in events)


async def test_kinds_filter_what_is_sent(api: Api, server: Server) -> None:
    admin = api.token(api.world.reseller, "ADMIN")
    kinds = {"kinds": ["CUSTOMER_STATUS_CHANGED"]}
    async with subscribed(server.url, admin, kinds) as client:
        customer = await create(server.url, admin, customer_input())
        await transition(server.url, admin, "approveCustomer", {"id": customer["id"]})
        event = await client.next()
    assert (event["type"], event["toStatus"]) == ("CUSTOMER_STATUS_CHANGED", "ACTIVE")


async def test_a_reseller_never_sees_another_resellers_events(api: Api, server: Server) -> None:
    mine = api.token(api.world.reseller, "ADMIN")
    theirs = api.token(api.world.other_reseller, "ADMIN")
    distributor = api.token(api.world.distributor, "VIEWER")
    async with (
        subscribed(server.url, theirs) as other,
        subscribed(server.url, distributor) as above,
        subscribed(server.url, mine) as me,
    ):
        hidden = await create(server.url, mine, numbered(1))
        shown = await create(server.url, theirs, numbered(2))
        # The other reseller's first event is its own customer: the first one never reached it.
        assert (await other.next())["organization"]["id"] == shown["id"]
        assert (await me.next())["organization"]["id"] == hidden["id"]
        seen = [(await above.next())["organization"]["id"] for _ in range(2)]
        assert seen == [hidden["id"], shown["id"]]


async def test_visibility_is_checked_again_for_every_event(api: Api, server: Server) -> None:
    """A customer moved to the other reseller (no mutation does that today; the database is
    changed directly) is no longer sent to its old reseller's subscriber, and now is to the
    new one's: nothing about who may see what is remembered from an earlier event."""
    mine = api.token(api.world.reseller, "ADMIN")
    theirs = api.token(api.world.other_reseller, "ADMIN")
    distributor = api.token(api.world.distributor, "ADMIN")
    moved = await create(server.url, mine, numbered(1))
    kept = await create(server.url, mine, numbered(2))
    async with subscribed(server.url, mine) as me, subscribed(server.url, theirs) as other:
        await transition(server.url, mine, "approveCustomer", {"id": moved["id"]})
        assert (await me.next())["organization"]["id"] == moved["id"]
        await Organization.filter(id=_uuid(moved["id"])).update(
            parent_id=_uuid(api.world.other_reseller)
        )
        await transition(
            server.url, distributor, "suspendCustomer", {"id": moved["id"], "reason": "x"}
        )
        await transition(server.url, mine, "approveCustomer", {"id": kept["id"]})
        # The suspension was skipped for me, not delayed: my next event is the approval.
        assert (await me.next())["organization"]["id"] == kept["id"]
        event = await other.next()
        assert (event["organization"]["id"], event["toStatus"]) == (moved["id"], "SUSPENDED")
        assert event["organization"]["parent"] == {"id": api.world.other_reseller}


async def test_acting_in_a_customer_sees_only_that_customer(api: Api, server: Server) -> None:
    admin = api.token(api.world.reseller, "ADMIN")
    first = await create(server.url, admin, numbered(1))
    second = await create(server.url, admin, numbered(2))
    async with subscribed(server.url, admin, **{"X-Organization-ID": second["id"]}) as client:
        await transition(server.url, admin, "approveCustomer", {"id": first["id"]})
        await transition(server.url, admin, "approveCustomer", {"id": second["id"]})
        event = await client.next()
    assert event["organization"]["id"] == second["id"]


async def test_contact_changes_reach_those_who_may_read_contacts(api: Api, server: Server) -> None:
    admin = api.token(api.world.reseller, "ADMIN")
    customer = await create(server.url, admin, customer_input())
    async with subscribed(server.url, api.token(api.world.reseller, "VIEWER")) as client:
        update = {"id": customer["id"], "expectedVersion": 1}
        update["primaryContact"] = {**COPACO["primaryContact"], "email": "piet@copaco.nl"}
        await gql(server.url, admin, UPDATE, {"input": update})
        event = await client.next()
    change = {"field": "primaryContact.email", "oldValue": "Jan@copaco.nl"}
    assert event["changes"] == [{**change, "newValue": "piet@copaco.nl"}]


async def test_anonymous_and_bad_tokens_are_refused(api: Api, server: Server) -> None:
    cases = [
        ({}, 4401),
        ({"Authorization": "Bearer not-a-token"}, 4403),
        ({"Authorization": "Basic abc"}, 4403),
        ({"Authorization": ["Bearer x"]}, 4403),
        (
            {
                "Authorization": f"Bearer {api.token(api.world.reseller)}",
                "X-Organization-ID": api.world.other_reseller,
            },
            4403,
        ),
    ]
    for payload, code in cases:
        async with live(server.url) as client:
            await client.send({"type": "connection_init", "payload": payload})
            assert (await client.closed())[0] == code, payload
    # Subscribing without connection_init is refused too (the protocol's 4401).
    async with live(server.url) as client:
        await client.subscribe()
        assert (await client.closed())[0] == 4401


async def test_the_connection_closes_when_its_token_expires(api: Api, server: Server) -> None:
    """HTTP refuses an expired token on the next request; a subscription has no next request,
    so its connection is closed when the token runs out (the verifier's leeway included)."""
    now = datetime.now(UTC)
    claims = {"sub": "short", "org": api.world.reseller, "roles": ["ADMIN"], "iat": now}
    claims["exp"] = now + timedelta(seconds=2 - LEEWAY_SECONDS)
    token = jwt.encode(claims, TEST_KEY, algorithm="HS256")
    async with live(server.url) as client:
        assert (await client.init({"Authorization": f"Bearer {token}"}))["type"] == "connection_ack"
        await client.subscribe()
        code, reason = await client.closed(seconds=15)
    assert (code, reason) == (4403, "Forbidden: the token expired")


async def test_a_token_without_roles_may_not_subscribe(api: Api, server: Server) -> None:
    token = api.tokens.mint(subject="nobody", org_id=_uuid(api.world.reseller), roles=[])
    async with live(server.url) as client:
        assert (await client.init({"Authorization": f"Bearer {token}"}))["type"] == "connection_ack"
        await client.subscribe()
        message = await client.receive()
    assert message["type"] == "error", message
    assert message["payload"][0]["extensions"]["code"] == "FORBIDDEN"


def _uuid(global_id: str) -> Any:
    from resolvers import global_id as ids

    return ids.decode_uuid(global_id, "Organization")


@pytest.mark.parametrize(
    "message",
    [
        "not json",
        "[1, 2]",
        '{"type": 7}',
        '{"type": "subscribe", "id": "1", "payload": "query"}',
        '{"type": "subscribe", "id": ["x"], "payload": {"query": "{ __typename }"}}',
        '{"type": "subscribe", "id": "1", "payload": {"query": 1}}',
        '{"type": "complete", "id": {"a": 1}}',
    ],
)
async def test_malformed_messages_close_with_4400(api: Api, server: Server, message: str) -> None:
    async with live(server.url) as client:
        ack = await client.init({"Authorization": f"Bearer {api.token(api.world.reseller)}"})
        assert ack["type"] == "connection_ack"
        await client.socket.send(message)
        assert (await client.closed())[0] == 4400
    async with httpx.AsyncClient(base_url=server.url) as probe:
        assert (await probe.get("/healthz")).status_code == 200


async def test_queries_and_mutations_go_over_http(api: Api, server: Server) -> None:
    async with live(server.url) as client:
        await client.init({"Authorization": f"Bearer {api.token(api.world.reseller)}"})
        await client.subscribe(query="{ viewer { organization { id } } }")
        message = await client.receive()
    assert message["type"] == "error", message
    (error,) = message["payload"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}, message
    assert "over HTTP" in error["message"]


async def test_subscriptions_over_http_are_refused(api: Api, server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.post(
            "/graphql",
            json={"query": "subscription { organizationEvents { id } }"},
            headers={"Authorization": f"Bearer {api.token(api.world.reseller)}"},
        )
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_REQUEST"
    assert "WebSocket" in error["message"]


async def test_many_subscriptions_on_one_connection_are_refused_past_the_limit(
    api: Api, server: Server
) -> None:
    admin = api.token(api.world.reseller)
    async with live(server.url) as client:
        await client.init({"Authorization": f"Bearer {admin}"})
        for n in range(10):
            await client.subscribe(id=str(n))
        await until_subscribed(server.url, 10)
        await client.subscribe(id="10")
        message = await client.receive()
    assert (message["type"], message["id"]) == ("error", "10"), message
