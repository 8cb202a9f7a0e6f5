"""Sending events: the fan-out job and the delivery job, run by the durable job worker.

fan-out (one per event, in order per organization): for every enabled endpoint that wants
the event type and whose organization may see the event's organization, render the body
once (the organization as the API shows it to that organization: `Render`, supplied by the
GraphQL layer) and queue a delivery. A second run after a crash skips endpoints it already
queued (one delivery per endpoint and event).

delivery (in order per endpoint and organization: a retrying delivery holds back the younger
ones): POST the body, signed, to the endpoint; a 2xx within the timeout succeeds; anything
else is recorded and retried after the next of PORTAL_WEBHOOK_RETRY_SECONDS, then FAILED.
An endpoint whose every attempt failed for PORTAL_WEBHOOK_DISABLE_AFTER_SECONDS is disabled,
and says why.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
from prometheus_client import Counter, Histogram
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Endpoint,
    Event,
    EventType,
    Organization,
)
from resolvers import sql
from resolvers.jobs import JobContext, Queue, Registry, Retry, Task, job_row
from resolvers.webhooks import signing, transport
from resolvers.webhooks.addresses import RefusedUrl
from resolvers.webhooks.outbox import FANOUT_TASK, QUEUE
from settings import Settings

DELIVER_TASK = "webhook_deliver"
EXCERPT_CHARS = 1024
# Fan-out only fails when the database does; keep trying for about a day.
FANOUT_RETRY_SECONDS = (1, 5, 30, 120, 600, 1800, 3600, 3600 * 6, 3600 * 12)

# (owner organization, event organization) -> the organization as the API shows it to the
# owner, or None when the owner may not see it.
Render = Callable[[UUID, UUID], Awaitable[dict[str, Any] | None]]

ATTEMPT_SECONDS = Histogram(
    "portal_webhook_attempt_seconds",
    "Duration of one webhook delivery attempt, by outcome.",
    ["outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
DELIVERY_LATENCY = Histogram(
    "portal_webhook_delivery_latency_seconds",
    "From the change to the receiver's 2xx, for delivered webhooks (retries included).",
    buckets=(0.1, 0.5, 1, 5, 30, 300, 1800, 3600, 6 * 3600, 86400),
)
OUTCOMES = Counter(
    "portal_webhook_attempts",
    "Webhook delivery attempts by outcome (succeeded, http_error, timeout, refused, "
    "connect_error) and deliveries given up (failed).",
    ["outcome"],
)


def delivery_key(endpoint_id: UUID, organization_id: UUID | None) -> str | None:
    return f"webhook:{endpoint_id}:{organization_id}" if organization_id else None


def body(event_id: UUID, type: EventType, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The Standard Webhooks envelope: type, timestamp (ISO 8601, UTC), data (with the ID)."""
    envelope = {
        "type": type.value,
        "timestamp": occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "data": {"id": str(event_id), **data},
    }
    return json.dumps(envelope, separators=(",", ":"), ensure_ascii=False)


def delivery_rows(
    *,
    delivery_id: UUID,
    endpoint_id: UUID,
    owner_id: UUID,
    event_id: UUID,
    type: EventType,
    organization_id: UUID | None,
    text: str,
    now: datetime,
) -> list[sql.Row]:
    delivery = sql.Row(
        "webhook_delivery",
        {
            "id": delivery_id,
            "endpoint_id": endpoint_id,
            "event_id": event_id,
            "event_type": type,
            "owner_id": owner_id,
            "organization_id": organization_id,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "body": text,
            "created_at": now,
            "last_attempt_at": None,
            "next_attempt_at": now,
            "response_status": None,
        },
    )
    job = job_row(
        DELIVER_TASK,
        {"delivery": str(delivery_id)},
        queue=QUEUE,
        now=now,
        id=delivery_id,
        ordering_key=delivery_key(endpoint_id, organization_id),
    )
    return [delivery, job]


def _data(type: EventType, facts: dict[str, Any], organization: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {"organization": organization}
    if type in (EventType.CUSTOMER_STATUS_CHANGED, EventType.CUSTOMER_CREATED):
        data["fromStatus"] = facts.get("fromStatus")
        data["toStatus"] = facts.get("toStatus")
    if facts.get("changes") or type is EventType.CUSTOMER_UPDATED:
        data["changes"] = facts.get("changes", [])
    return data


async def _candidates(organization_id: UUID) -> list[dict[str, Any]]:
    """Endpoints whose owner is the organization, an ancestor or a descendant of it (the
    only ones that could see it); the rendering decides for each."""
    rows = await Organization.filter(id=organization_id).values("parent_id", "parent__parent_id")
    owners = [organization_id, *(v for v in rows[0].values() if v)] if rows else [organization_id]
    below = await Organization.filter(
        Q(parent_id=organization_id) | Q(parent__parent_id=organization_id)
    ).values_list("id", flat=True)
    return await (
        Endpoint.filter(Q(organization_id__in=owners) | Q(organization_id__in=list(below)))
        .filter(enabled=True)
        .order_by("created_at", "id")
        .values("id", "organization_id", "events", "created_at")
    )


def fanout(render: Render) -> Callable[[JobContext], Awaitable[None]]:
    async def run(ctx: JobContext) -> None:
        event = await Event.filter(id=ctx.payload["event"]).first().values()
        if event is None:
            return
        type = EventType(event["type"])
        done = set(
            await Delivery.filter(event_id=event["id"]).values_list("endpoint_id", flat=True)
        )
        facts = json.loads(event["facts"])
        rendered: dict[UUID, dict[str, Any] | None] = {}
        rows: list[sql.Row] = []
        now = datetime.now(UTC)
        for endpoint in await _candidates(event["organization_id"]):
            if endpoint["id"] in done or type.value not in endpoint["events"].split(","):
                continue
            if endpoint["created_at"] > event["occurred_at"]:
                continue  # registered after the change: it starts with the next event
            owner = endpoint["organization_id"]
            if owner not in rendered:
                rendered[owner] = await render(owner, event["organization_id"])
            organization = rendered[owner]
            if organization is None:
                continue  # the owner may not see it: for this endpoint it never happened
            text = body(event["id"], type, event["occurred_at"], _data(type, facts, organization))
            rows += delivery_rows(
                delivery_id=uuid4(),
                endpoint_id=endpoint["id"],
                owner_id=owner,
                event_id=event["id"],
                type=type,
                organization_id=event["organization_id"],
                text=text,
                now=now,
            )
            now += timedelta(microseconds=1)
        if rows:
            async with in_transaction():
                await sql.insert(*rows)

    return run


class Sender:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = transport.client(
            timeout=settings.webhook_timeout_seconds, allow_private=settings.webhook_allow_private
        )

    async def deliver(self, ctx: JobContext) -> None:
        delivery = await Delivery.filter(id=ctx.payload["delivery"]).first().values()
        if delivery is None or delivery["status"] != DeliveryStatus.PENDING:
            return  # deleted with its endpoint, or settled (a replay queued it again)
        endpoint = await Endpoint.filter(id=delivery["endpoint_id"]).first().values()
        if endpoint is None or not endpoint["enabled"]:
            await _settle(delivery["id"], DeliveryStatus.FAILED)
            OUTCOMES.labels("failed").inc()
            return
        now = datetime.now(UTC)
        secrets = [endpoint["secret"]]
        expires = endpoint["previous_secret_expires_at"]
        if endpoint["previous_secret"] and expires is not None and expires > now:
            secrets.append(endpoint["previous_secret"])
        headers = signing.headers(
            message_id=str(delivery["event_id"]),
            timestamp=now,
            body=delivery["body"],
            secrets_=secrets,
        )
        started = time.perf_counter()
        status, error, excerpt = await self._post(endpoint["url"], delivery["body"], headers)
        seconds = time.perf_counter() - started
        ok = status is not None and 200 <= status < 300
        outcome = "succeeded" if ok else _outcome(status, error)
        ATTEMPT_SECONDS.labels(outcome).observe(seconds)
        OUTCOMES.labels(outcome).inc()
        delays = self.settings.webhook_retry_seconds
        next_at = None
        if not ok and ctx.attempt <= len(delays):
            next_at = datetime.now(UTC) + timedelta(seconds=delays[ctx.attempt - 1])
        async with in_transaction():
            await DeliveryAttempt.create(
                id=uuid4(),
                delivery_id=delivery["id"],
                number=delivery["attempts"] + 1,
                started_at=now,
                duration_ms=round(seconds * 1000),
                response_status=status,
                error=None if ok else (error or f"HTTP_{status}"),
                response_excerpt=excerpt,
            )
            await Delivery.filter(id=delivery["id"]).update(
                attempts=delivery["attempts"] + 1,
                last_attempt_at=now,
                response_status=status,
                next_attempt_at=next_at,
                status=DeliveryStatus.SUCCEEDED if ok else DeliveryStatus.PENDING,
            )
            await self._health(endpoint, ok, now, error or f"HTTP {status}")
        if ok:
            event = await Event.filter(id=delivery["event_id"]).first().values("occurred_at")
            if event is not None:
                DELIVERY_LATENCY.observe((datetime.now(UTC) - event["occurred_at"]).total_seconds())
            return
        raise Retry(error or f"HTTP_{status}")

    async def _post(
        self, url: str, text: str, headers: dict[str, str]
    ) -> tuple[int | None, str | None, str | None]:
        """(status, error code, body excerpt); status None when no answer came."""
        try:
            # One deadline for the whole attempt (connect, send, read), not per read.
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                async with self.client.stream(
                    "POST", url, content=text.encode(), headers=headers
                ) as response:
                    raw = await transport.read_bounded(response)
                    excerpt = raw.decode("utf-8", errors="replace")[:EXCERPT_CHARS]
                    return response.status_code, None, excerpt
        except RefusedUrl:
            return None, "REFUSED_ADDRESS", None
        except (TimeoutError, httpx.TimeoutException):
            return None, "TIMEOUT", None
        except httpx.HTTPError as error:
            return None, _code(error), None

    async def _health(self, endpoint: dict[str, Any], ok: bool, now: datetime, why: str) -> None:
        """A success ends the failure streak; a failure starts one, or disables the endpoint
        once the streak has lasted PORTAL_WEBHOOK_DISABLE_AFTER_SECONDS."""
        if ok:
            if endpoint["failing_since"] is not None:
                await Endpoint.filter(id=endpoint["id"]).update(failing_since=None)
            return
        since = endpoint["failing_since"]
        if since is None:
            await Endpoint.filter(id=endpoint["id"], failing_since__isnull=True).update(
                failing_since=now
            )
            return
        limit = timedelta(seconds=self.settings.webhook_disable_after_seconds)
        if now - since >= limit:
            reason = (
                f"Disabled automatically: every delivery failed since "
                f"{since.isoformat(timespec='seconds')} (last: {why})."
            )
            await Endpoint.filter(id=endpoint["id"], enabled=True).update(
                enabled=False, disabled_reason=reason[:500], updated_at=now
            )

    async def gave_up(self, ctx: JobContext, code: str) -> None:
        await _settle(ctx.payload["delivery"], DeliveryStatus.FAILED)
        OUTCOMES.labels("failed").inc()


def _code(error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.ConnectError):
        return "CONNECT_ERROR"
    if isinstance(error, httpx.RemoteProtocolError):
        return "PROTOCOL_ERROR"
    return type(error).__name__.upper()[:64]


def _outcome(status: int | None, error: str | None) -> str:
    if status is not None:
        return "http_error"
    return {"TIMEOUT": "timeout", "REFUSED_ADDRESS": "refused"}.get(error or "", "connect_error")


async def _settle(delivery_id: object, status: DeliveryStatus) -> None:
    await Delivery.filter(id=delivery_id, status=DeliveryStatus.PENDING).update(
        status=status, next_attempt_at=None
    )


def register(registry: Registry, settings: Settings, render: Render) -> None:
    sender = Sender(settings)
    registry.add(
        [
            Queue(
                QUEUE,
                concurrency=settings.webhook_concurrency,
                lease_seconds=max(60.0, settings.webhook_timeout_seconds * 3),
            )
        ],
        [
            Task(FANOUT_TASK, fanout(render), retry_delays=FANOUT_RETRY_SECONDS),
            Task(
                DELIVER_TASK,
                sender.deliver,
                retry_delays=settings.webhook_retry_seconds,
                # The spec's schedule as configured: nextAttemptAt is then exact.
                jitter=0.0,
                on_give_up=sender.gave_up,
            ),
        ],
    )
    registry.closers.append(sender.client.aclose)
