"""Deliveries as their endpoint's owner sees them: the list, a test send, a replay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4

from tortoise.transactions import in_transaction

from models import Delivery, DeliveryAttempt, DeliveryStatus, EventType, Job
from resolvers import global_id, sql
from resolvers.actors import Actor
from resolvers.errors import ErrorCode, FieldError, InvalidInput, NotFound
from resolvers.jobs import job_row
from resolvers.listing import Window
from resolvers.webhooks.delivery import DELIVER_TASK, body, delivery_key, delivery_rows
from resolvers.webhooks.endpoints import get_endpoint, require_manager
from resolvers.webhooks.outbox import QUEUE

_COLUMNS = (
    "id",
    "endpoint_id",
    "event_id",
    "event_type",
    "organization_id",
    "status",
    "attempts",
    "created_at",
    "last_attempt_at",
    "next_attempt_at",
    "response_status",
)
_ATTEMPT_COLUMNS = (
    "id",
    "delivery_id",
    "number",
    "started_at",
    "duration_ms",
    "response_status",
    "error",
    "response_excerpt",
)


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    id: UUID
    endpoint_id: UUID
    event_id: UUID
    event_type: EventType
    organization_id: UUID | None
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    response_status: int | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "event_type", EventType(self.event_type))
        object.__setattr__(self, "status", DeliveryStatus(self.status))


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    id: UUID
    delivery_id: UUID
    number: int
    started_at: datetime
    duration_ms: int
    response_status: int | None
    error: str | None
    response_excerpt: str | None


async def list_deliveries(
    *,
    actor: Actor,
    endpoint_id: str | None,
    status: DeliveryStatus | None,
    window: Window | None = None,
) -> tuple[list[DeliveryRecord], int]:
    """The owner's deliveries, newest first, and how many there are in all."""
    require_manager(actor)
    query = Delivery.filter(owner_id=actor.org_id)
    if endpoint_id is not None:
        endpoint = await get_endpoint(actor=actor, id=endpoint_id, field=("endpointId",))
        query = query.filter(endpoint_id=endpoint.id)
    if status is not None:
        query = query.filter(status=status)
    page = query.order_by("-created_at", "-id")
    if window is not None:
        page = page.offset(window.offset).limit(window.limit)
    rows = await page.values(*_COLUMNS)
    return [DeliveryRecord(**row) for row in rows], await query.count()


async def get_delivery(*, actor: Actor, id: str) -> DeliveryRecord:
    require_manager(actor)
    delivery_id = global_id.decode_uuid(id, "WebhookDelivery")
    rows = (
        await Delivery.filter(id=delivery_id, owner_id=actor.org_id).values(*_COLUMNS)
        if delivery_id
        else []
    )
    if not rows:
        raise NotFound("No such webhook delivery.", field=("id",))
    return DeliveryRecord(**rows[0])


async def load_attempts(delivery_ids: list[UUID]) -> dict[UUID, list[AttemptRecord]]:
    rows = (
        await DeliveryAttempt.filter(delivery_id__in=delivery_ids)
        .order_by("number")
        .values(*_ATTEMPT_COLUMNS)
    )
    found: dict[UUID, list[AttemptRecord]] = {}
    for row in rows:
        found.setdefault(row["delivery_id"], []).append(AttemptRecord(**row))
    return found


async def send_test(*, actor: Actor, id: str) -> DeliveryRecord:
    """Queue a `webhook.test` event for the endpoint (enabled or not: testing a disabled
    endpoint is how one finds out it works again)."""
    endpoint = await get_endpoint(actor=actor, id=id)
    now = datetime.now(UTC)
    event_id, delivery_id = uuid4(), uuid4()
    endpoint_gid = global_id.encode("WebhookEndpoint", endpoint.id)
    text = body(event_id, EventType.WEBHOOK_TEST, now, {"endpoint": {"id": endpoint_gid}})
    rows = delivery_rows(
        delivery_id=delivery_id,
        endpoint_id=endpoint.id,
        owner_id=endpoint.organization_id,
        event_id=event_id,
        type=EventType.WEBHOOK_TEST,
        organization_id=None,
        text=text,
        now=now,
    )
    async with in_transaction():
        await sql.insert(*rows)
    return await get_delivery(actor=actor, id=global_id.encode("WebhookDelivery", delivery_id))


async def replay(*, actor: Actor, id: str) -> DeliveryRecord:
    """Send a FAILED (or SUCCEEDED) delivery again: the same body and webhook-id, a fresh
    retry schedule, after the deliveries already waiting for that endpoint."""
    delivery = await get_delivery(actor=actor, id=id)
    if delivery.status is DeliveryStatus.PENDING:
        message = "The delivery is still being attempted."
        raise InvalidInput([FieldError(("id",), ErrorCode.INVALID_STATUS_TRANSITION, message)])
    now = datetime.now(UTC)
    async with in_transaction():
        won = await Delivery.filter(id=delivery.id, status=delivery.status).update(
            status=DeliveryStatus.PENDING, next_attempt_at=now
        )
        if won:
            # The finished job keeps its ID until housekeeping forgets it; start a new one.
            await Job.filter(id=delivery.id).delete()
            await sql.insert(
                job_row(
                    DELIVER_TASK,
                    {"delivery": str(delivery.id)},
                    queue=QUEUE,
                    now=now,
                    id=delivery.id,
                    ordering_key=delivery_key(delivery.endpoint_id, delivery.organization_id),
                )
            )
    return await get_delivery(actor=actor, id=id)
