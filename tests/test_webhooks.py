"""Webhooks through the API and a real HTTP receiver: signed (verified with the
`standardwebhooks` library), in order, retried, FAILED, replayed, disabled, rotated, tested."""

from __future__ import annotations

from typing import Any

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from tests.api import Api
from tests.conftest import ApiFactory
from tests.receiver import receiver
from tests.webhooks import (
    APPROVE,
    REPLAY,
    ROTATE,
    SEND_TEST,
    UPDATE_ENDPOINT,
    create_customer,
    deliveries,
    eventually,
    register,
)

FAST = {
    "webhook_allow_private": True,
    "webhook_retry_seconds": (0.1, 0.1),
    "webhook_timeout_seconds": 1.0,
    "job_poll_seconds": 0.05,
    # The in-process app runs the worker only when asked (tests/conftest.py).
    "jobs_in_server": True,
}


def verified(secret: str, received: Any) -> dict[str, Any]:
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    return payload


async def test_each_change_is_delivered_once_signed_and_in_order(
    api_factory: ApiFactory,
) -> None:
    async with receiver() as hooks, api_factory(**FAST) as api:
        endpoint, secret = await register(api, hooks.url)
        assert secret.startswith("whsec_")
        customer = await create_customer(api, 1)
        token = api.token(api.world.reseller, "ADMIN")
        assert (await api.gql(APPROVE, {"id": customer}, token=token)).data["approveCustomer"][
            "errors"
        ] == []
        got = await hooks.wait(lambda r: len(r) >= 2)
        payloads = [verified(secret, r) for r in got]
        assert [p["type"] for p in payloads] == ["customer.created", "customer.status_changed"]
        created, approved = (p["data"] for p in payloads)
        assert created["organization"]["id"] == customer
        assert created["organization"]["shortName"] == "Customer 001"
        assert created["organization"]["primaryAddress"]["country"] == "NL"
        assert created["toStatus"] == "PENDING_APPROVAL"
        assert (approved["fromStatus"], approved["toStatus"]) == ("PENDING_APPROVAL", "ACTIVE")
        # The webhook-id is the event's ID, also inside the body.
        assert [r.headers["webhook-id"] for r in got] == [created["id"], approved["id"]]
        assert payloads[0]["timestamp"].endswith("Z")

        # Exactly once: nothing else arrives, and the log agrees.
        async def both_settled() -> bool:
            return len(await deliveries(api, status="SUCCEEDED")) == 2

        await eventually(both_settled)
        listed = await deliveries(api, status="SUCCEEDED")
        assert {d["eventId"] for d in listed} == {created["id"], approved["id"]}
        assert all(d["attempts"] == 1 and d["responseStatus"] == 204 for d in listed)
        assert all(d["endpoint"]["id"] == endpoint for d in listed)
        assert len(hooks.received) == 2


async def test_a_tampered_body_or_another_secret_fails_verification(
    api_factory: ApiFactory,
) -> None:
    async with receiver() as hooks, api_factory(**FAST) as api:
        _, secret = await register(api, hooks.url)
        await create_customer(api, 2)
        (got,) = await hooks.wait(lambda r: len(r) >= 1)
        verified(secret, got)
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(got.body.replace("Customer", "Kustomer"), got.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "A" * 43 + "=").verify(got.body, got.headers)


async def test_retries_after_5xx_and_timeouts_then_succeeds(api_factory: ApiFactory) -> None:
    async with receiver() as hooks, api_factory(**FAST) as api:
        hooks.script = [500, ("sleep", 3.0)]
        _, secret = await register(api, hooks.url)
        await create_customer(api, 3)
        got = await hooks.wait(lambda r: len(r) >= 3)
        assert len({r.headers["webhook-id"] for r in got}) == 1  # the same event, retried
        for r in got:
            verified(secret, r)

        async def settled() -> bool:
            return [d["status"] for d in await deliveries(api)] == ["SUCCEEDED"]

        await eventually(settled)
        (delivery,) = await deliveries(api)
        log = delivery["attemptLog"]
        assert [(a["responseStatus"], a["error"]) for a in log] == [
            (500, "HTTP_500"),
            (None, "TIMEOUT"),
            (204, None),
        ]
        assert log[0]["responseExcerpt"] == "answer 500"
        assert delivery["attempts"] == 3 and delivery["nextAttemptAt"] is None


async def test_failed_after_the_schedule_then_replayed(api_factory: ApiFactory) -> None:
    async with receiver() as hooks, api_factory(**FAST) as api:
        hooks.default = 503
        _, secret = await register(api, hooks.url)
        await create_customer(api, 4)

        async def failed() -> bool:
            return [d["status"] for d in await deliveries(api)] == ["FAILED"]

        await eventually(failed)
        (delivery,) = await deliveries(api, status="FAILED")
        assert delivery["attempts"] == 3  # two delays: three attempts
        assert len(hooks.received) == 3
        hooks.default = 200
        token = api.token(api.world.distributor, "ADMIN")
        replayed = (await api.gql(REPLAY, {"id": delivery["id"]}, token=token)).data
        assert replayed["replayWebhookDelivery"]["delivery"]["status"] == "PENDING"
        got = await hooks.wait(lambda r: len(r) >= 4)
        assert got[3].headers["webhook-id"] == delivery["eventId"]
        verified(secret, got[3])

        async def succeeded() -> bool:
            return [d["status"] for d in await deliveries(api)] == ["SUCCEEDED"]

        await eventually(succeeded)
        again = (await api.gql(REPLAY, {"id": "nonsense"}, token=token)).data
        assert again["replayWebhookDelivery"]["errors"][0]["code"] == "NOT_FOUND"


async def test_a_retrying_event_holds_back_the_next_one_about_the_same_customer(
    api_factory: ApiFactory,
) -> None:
    async with receiver() as hooks, api_factory(**FAST) as api:
        hooks.script = [500, 500]
        _, secret = await register(api, hooks.url)
        customer = await create_customer(api, 5)
        token = api.token(api.world.reseller, "ADMIN")
        await api.gql(APPROVE, {"id": customer}, token=token)
        got = await hooks.wait(lambda r: len(r) >= 4)
        types = [verified(secret, r)["type"] for r in got]
        assert types == ["customer.created"] * 3 + ["customer.status_changed"]


async def test_an_endpoint_failing_for_too_long_is_disabled_and_says_why(
    api_factory: ApiFactory,
) -> None:
    settings = {**FAST, "webhook_disable_after_seconds": 0.05}
    async with receiver() as hooks, api_factory(**settings) as api:
        hooks.default = 500
        endpoint, _ = await register(api, hooks.url)
        await create_customer(api, 6)
        token = api.token(api.world.distributor, "ADMIN")
        query = "{ webhookEndpoints { id enabled disabledReason } }"

        async def disabled() -> bool:
            (found,) = (await api.gql(query, token=token)).data["webhookEndpoints"]
            return found["enabled"] is False

        await eventually(disabled)
        (found,) = (await api.gql(query, token=token)).data["webhookEndpoints"]
        assert "every delivery failed" in found["disabledReason"]
        assert "HTTP 500" in found["disabledReason"]
        # Switched on again by a person: the reason goes, deliveries resume.
        hooks.default = 204
        update = {"input": {"id": endpoint, "enabled": True}}
        result = await api.gql(UPDATE_ENDPOINT, update, token=token)
        assert result.data["updateWebhookEndpoint"]["endpoint"]["disabledReason"] is None
        seen = len(hooks.received)
        await create_customer(api, 7)
        await hooks.wait(lambda r: any(x.json["type"] == "customer.created" for x in r[seen:]))


async def test_rotation_signs_with_both_secrets_during_the_grace_period(
    api_factory: ApiFactory,
) -> None:
    async with receiver() as hooks, api_factory(**FAST) as api:
        endpoint, old = await register(api, hooks.url)
        token = api.token(api.world.distributor, "ADMIN")
        rotated = (await api.gql(ROTATE, {"id": endpoint}, token=token)).data
        new = rotated["rotateWebhookSecret"]["secret"]
        assert new.startswith("whsec_") and new != old
        await api.gql(SEND_TEST, {"id": endpoint}, token=token)
        (got,) = await hooks.wait(lambda r: len(r) >= 1)
        assert len(got.headers["webhook-signature"].split(" ")) == 2
        assert verified(old, got)["type"] == "webhook.test"
        assert verified(new, got)["type"] == "webhook.test"


async def test_after_the_grace_period_only_the_new_secret_signs(api_factory: ApiFactory) -> None:
    async with receiver() as hooks, api_factory(**FAST, webhook_secret_grace_seconds=0) as api:
        endpoint, old = await register(api, hooks.url)
        token = api.token(api.world.distributor, "ADMIN")
        new = (await api.gql(ROTATE, {"id": endpoint}, token=token)).data["rotateWebhookSecret"][
            "secret"
        ]
        await api.gql(SEND_TEST, {"id": endpoint}, token=token)
        (got,) = await hooks.wait(lambda r: len(r) >= 1)
        verified(new, got)
        with pytest.raises(WebhookVerificationError):
            verified(old, got)


async def test_send_test_webhook(api_factory: ApiFactory) -> None:
    async with receiver() as hooks, api_factory(**FAST) as api:
        endpoint, secret = await register(api, hooks.url, events=["CUSTOMER_UPDATED"])
        token = api.token(api.world.distributor, "ADMIN")
        sent = (await api.gql(SEND_TEST, {"id": endpoint}, token=token)).data["sendTestWebhook"]
        assert sent["errors"] == [] and sent["delivery"]["eventType"] == "WEBHOOK_TEST"
        (got,) = await hooks.wait(lambda r: len(r) >= 1)
        payload = verified(secret, got)
        assert payload["type"] == "webhook.test"
        assert payload["data"] == {"id": sent["delivery"]["eventId"], "endpoint": {"id": endpoint}}
        # Not subscribed to customer.created: a new customer sends nothing.
        await create_customer(api, 8)
        await api.gql(SEND_TEST, {"id": endpoint}, token=token)
        got2 = await hooks.wait(lambda r: len(r) >= 2)
        assert [r.json["type"] for r in got2] == ["webhook.test", "webhook.test"]


async def test_tenancy_between_two_resellers(api_factory: ApiFactory) -> None:
    async with receiver() as mine, receiver() as theirs, api_factory(**FAST) as api:
        ours, _ = await register(api, mine.url, org=api.world.reseller)
        other, _ = await register(api, theirs.url, org=api.world.other_reseller)
        await create_customer(api, 9, reseller=api.world.other_reseller)
        await create_customer(api, 10, reseller=api.world.reseller)
        (got,) = await mine.wait(lambda r: len(r) >= 1)
        assert got.json["data"]["organization"]["shortName"] == "Customer 010"
        (their,) = await theirs.wait(lambda r: len(r) >= 1)
        assert their.json["data"]["organization"]["shortName"] == "Customer 009"
        await create_customer(api, 11, reseller=api.world.other_reseller)
        await theirs.wait(lambda r: len(r) >= 2)
        assert len(mine.received) == 1
        # The other reseller's endpoint and deliveries are invisible.
        token = api.token(api.world.reseller, "ADMIN")
        listed = (await api.gql("{ webhookEndpoints { id } }", token=token)).data
        assert listed["webhookEndpoints"] == [{"id": ours}]
        node = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": other}, token=token)
        assert node.data["node"] is None
        changed = await api.gql(
            UPDATE_ENDPOINT, {"input": {"id": other, "enabled": False}}, token=token
        )
        assert changed.data["updateWebhookEndpoint"]["errors"][0]["code"] == "NOT_FOUND"
        assert all(d["endpoint"]["id"] == ours for d in await deliveries(api, api.world.reseller))


async def test_managing_webhooks_needs_admin(api: Api) -> None:
    token = api.token(api.world.distributor, "ACCOUNT_MANAGER")
    listed = await api.gql("{ webhookEndpoints { id } }", token=token)
    assert listed["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    result = await api.gql(
        'mutation { createWebhookEndpoint(input: {url: "https://example.com/h",'
        " events: [CUSTOMER_CREATED]}) { endpoint { id } secret errors { code } } }",
        token=token,
    )
    payload = result.data["createWebhookEndpoint"]
    assert payload["errors"] == [{"code": "FORBIDDEN"}] and payload["secret"] is None


async def _refused(api: Api, url: str) -> list[dict[str, Any]]:
    token = api.token(api.world.distributor, "ADMIN")
    result = await api.gql(
        "mutation($url: String!) { createWebhookEndpoint(input: {url: $url,"
        " events: [CUSTOMER_CREATED]}) { endpoint { id } errors { field code message } } }",
        {"url": url},
        token=token,
    )
    errors: list[dict[str, Any]] = result.data["createWebhookEndpoint"]["errors"]
    return errors


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # not https
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:a9fe:a9fe]/hook",
        "https://[fd00::1]/hook",
        "https://user:pw@example.com/hook",
        "ftp://example.com/hook",
        "https:///hook",
        "https://" + "a" * 2100 + ".com/",
    ],
)
async def test_unsafe_urls_are_refused_at_registration(api: Api, url: str) -> None:
    (error,) = await _refused(api, url)
    assert (error["field"], error["code"]) == (["url"], "INVALID_FORMAT")


async def test_a_name_rebound_to_loopback_after_registration_reaches_nothing(
    api_factory: ApiFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ipaddress

    from resolvers.webhooks import addresses

    answers = {"hooks.example": ipaddress.ip_address("93.184.216.34")}
    real = addresses.resolve

    async def rebinding(host: str, port: int) -> list[addresses.Address]:
        if host in answers:
            return [answers[host]]
        return await real(host, port)

    monkeypatch.setattr(addresses, "resolve", rebinding)
    async with receiver() as hooks, api_factory(**{**FAST, "webhook_allow_private": False}) as api:
        port = hooks.url.split(":")[2].split("/")[0]
        endpoint, _ = await register(api, f"https://hooks.example:{port}/hooks")
        answers["hooks.example"] = ipaddress.ip_address("127.0.0.1")  # the rebinding
        token = api.token(api.world.distributor, "ADMIN")
        await api.gql(SEND_TEST, {"id": endpoint}, token=token)

        async def failed() -> bool:
            return [d["status"] for d in await deliveries(api)] == ["FAILED"]

        await eventually(failed)
        (delivery,) = await deliveries(api)
        assert {a["error"] for a in delivery["attemptLog"]} == {"REFUSED_ADDRESS"}
        assert hooks.received == []


async def test_redirects_are_not_followed(api_factory: ApiFactory) -> None:
    async with receiver() as hooks, api_factory(**FAST) as api:
        hooks.default = 204
        hooks.script = [("redirect", "/elsewhere")] * 3
        endpoint, _ = await register(api, hooks.url)
        token = api.token(api.world.distributor, "ADMIN")
        await api.gql(SEND_TEST, {"id": endpoint}, token=token)

        async def failed() -> bool:
            return [d["status"] for d in await deliveries(api)] == ["FAILED"]

        await eventually(failed)
        assert {r.path for r in hooks.received} == {"/hooks"}
        (delivery,) = await deliveries(api)
        assert {a["error"] for a in delivery["attemptLog"]} == {"HTTP_307"}


async def test_deleting_an_endpoint_stops_its_deliveries(api_factory: ApiFactory) -> None:
    async with receiver() as hooks, api_factory(**FAST) as api:
        hooks.default = 500
        endpoint, _ = await register(api, hooks.url)
        token = api.token(api.world.distributor, "ADMIN")
        await api.gql(SEND_TEST, {"id": endpoint}, token=token)
        await hooks.wait(lambda r: len(r) >= 1)
        deleted = await api.gql(
            "mutation($id: ID!) { deleteWebhookEndpoint(input: {id: $id}) { errors { code } } }",
            {"id": endpoint},
            token=token,
        )
        assert deleted.data["deleteWebhookEndpoint"]["errors"] == []
        assert await deliveries(api) == []
        assert (await api.gql("{ webhookEndpoints { id } }", token=token)).data == {
            "webhookEndpoints": []
        }
