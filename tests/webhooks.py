"""GraphQL documents and helpers shared by the webhook tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tests.api import Api
from tests.builders import numbered
from tests.queries import CREATE

CREATE_ENDPOINT = """
mutation Register($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) {
    endpoint { id url events enabled description disabledReason }
    secret
    errors { field code message }
  }
}
"""
UPDATE_ENDPOINT = """
mutation Update($input: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(input: $input) {
    endpoint { id url events enabled disabledReason }
    errors { field code message }
  }
}
"""
ROTATE = """
mutation Rotate($id: ID!) {
  rotateWebhookSecret(input: {id: $id}) { endpoint { id } secret errors { field code } }
}
"""
SEND_TEST = """
mutation Test($id: ID!) {
  sendTestWebhook(input: {id: $id}) { delivery { id eventId eventType status } errors { code } }
}
"""
REPLAY = """
mutation Replay($id: ID!) {
  replayWebhookDelivery(input: {id: $id}) { delivery { id status } errors { field code } }
}
"""
DELIVERIES = """
query Deliveries($endpointId: ID, $status: WebhookDeliveryStatus) {
  webhookDeliveries(endpointId: $endpointId, status: $status) {
    totalCount
    nodes {
      id eventId eventType status attempts lastAttemptAt nextAttemptAt responseStatus
      endpoint { id } organization { id }
      attemptLog { number responseStatus error responseExcerpt durationMs }
    }
  }
}
"""
APPROVE = """
mutation Approve($id: ID!) { approveCustomer(input: {id: $id}) { errors { code } } }
"""
ALL_EVENTS = ["CUSTOMER_CREATED", "CUSTOMER_UPDATED", "CUSTOMER_STATUS_CHANGED",
              "TAX_ID_VERIFICATION_CHANGED"]  # fmt: skip


async def register(
    api: Api, url: str, *, org: str | None = None, events: list[str] | None = None
) -> tuple[str, str]:
    """(endpoint ID, secret)."""
    token = api.token(org or api.world.distributor, "ADMIN")
    result = await api.gql(
        CREATE_ENDPOINT, {"input": {"url": url, "events": events or ALL_EVENTS}}, token=token
    )
    payload = result.data["createWebhookEndpoint"]
    assert payload["errors"] == [], payload
    return payload["endpoint"]["id"], payload["secret"]


async def create_customer(api: Api, n: int, *, reseller: str | None = None) -> str:
    token = api.token(reseller or api.world.reseller, "ADMIN")
    result = await api.gql(CREATE, {"input": numbered(n)}, token=token)
    payload = result.data["createCustomer"]
    assert payload["errors"] == [], payload
    customer_id: str = payload["customer"]["id"]
    return customer_id


async def deliveries(api: Api, org: str | None = None, **variables: Any) -> list[dict[str, Any]]:
    token = api.token(org or api.world.distributor, "ADMIN")
    result = await api.gql(DELIVERIES, variables, token=token)
    nodes: list[dict[str, Any]] = result.data["webhookDeliveries"]["nodes"]
    return nodes


async def eventually(check: Callable[[], Awaitable[bool]], *, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)
