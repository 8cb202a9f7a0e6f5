"""The webhook types: endpoints, deliveries and their attempts, built from plain records."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import strawberry

from graph.core.context import Info
from graph.core.convert import convert
from graph.core.node import Node, node_loader
from graph.core.paging import Connection, Edge
from graph.organizations.types import Organization, load_organization
from models import DeliveryStatus, EventType
from resolvers import global_id
from resolvers.errors import DomainError
from resolvers.webhooks import deliveries, endpoints
from resolvers.webhooks.deliveries import DeliveryRecord
from resolvers.webhooks.endpoints import EndpointRecord

strawberry.enum(
    EventType,
    name="WebhookEventType",
    description="What happened to an organization (WEBHOOK_TEST: only sent by sendTestWebhook).",
)
strawberry.enum(
    DeliveryStatus,
    name="WebhookDeliveryStatus",
    description="PENDING (being attempted or waiting to retry), SUCCEEDED, FAILED.",
)


@strawberry.type(description="A URL that receives signed webhooks about organizations.")
class WebhookEndpoint(Node):
    url: str = strawberry.field(description="Where deliveries are POSTed (https).")
    events: list[EventType] = strawberry.field(description="The event types it receives.")
    enabled: bool = strawberry.field(description="False: nothing is sent to it.")
    description: str | None = strawberry.field(description="What it is for.")
    disabled_reason: str | None = strawberry.field(
        description="Why the system disabled it (every delivery failed for too long)."
    )
    created_at: datetime = strawberry.field(description="When it was registered (UTC).")
    updated_at: datetime = strawberry.field(description="When it last changed (UTC).")

    @classmethod
    def from_record(cls, r: EndpointRecord) -> WebhookEndpoint:
        return cls(
            id=strawberry.ID(global_id.encode("WebhookEndpoint", r.id)),
            url=r.url,
            events=list(r.events),
            enabled=r.enabled,
            description=r.description,
            disabled_reason=r.disabled_reason,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )


@strawberry.type(description="One attempt to deliver a webhook.")
class WebhookAttempt:
    number: int = strawberry.field(description="1 for the first attempt.")
    started_at: datetime = strawberry.field(description="When it started (UTC).")
    duration_ms: int = strawberry.field(description="How long it took, in milliseconds.")
    response_status: int | None = strawberry.field(
        description="The receiver's HTTP status; null when it did not answer."
    )
    error: str | None = strawberry.field(
        description="Why it failed: HTTP_<status>, TIMEOUT, CONNECT_ERROR, REFUSED_ADDRESS, ..."
    )
    response_excerpt: str | None = strawberry.field(
        description="The first 1024 characters of the response body."
    )


@strawberry.type(description="One event sent to one endpoint, with its attempts.")
class WebhookDelivery(Node):
    event_id: str = strawberry.field(
        description="The event's ID: the `webhook-id` header, the same on every retry."
    )
    event_type: EventType = strawberry.field(description="What happened.")
    status: DeliveryStatus = strawberry.field(description="PENDING, SUCCEEDED or FAILED.")
    attempts: int = strawberry.field(description="Attempts made so far.")
    created_at: datetime = strawberry.field(description="When it was queued (UTC).")
    last_attempt_at: datetime | None = strawberry.field(description="The latest attempt.")
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is tried next; null when it is no longer PENDING."
    )
    response_status: int | None = strawberry.field(
        description="The receiver's HTTP status at the latest attempt."
    )
    record: strawberry.Private[DeliveryRecord]

    @strawberry.field(description="The endpoint it goes to.")
    async def endpoint(self, info: Info) -> WebhookEndpoint | None:
        return await load_endpoint(info, self.record.endpoint_id)

    @strawberry.field(description="The organization the event is about; null for test sends.")
    async def organization(self, info: Info) -> Organization | None:
        if self.record.organization_id is None:
            return None
        return await load_organization(info, self.record.organization_id)

    @strawberry.field(description="Every attempt, oldest first.")
    async def attempt_log(self, info: Info) -> list[WebhookAttempt]:
        found = await deliveries.load_attempts([self.record.id])
        return [convert(a, WebhookAttempt) for a in found.get(self.record.id, [])]

    @classmethod
    def from_record(cls, r: DeliveryRecord) -> WebhookDelivery:
        return cls(
            id=strawberry.ID(global_id.encode("WebhookDelivery", r.id)),
            event_id=str(r.event_id),
            event_type=r.event_type,
            status=r.status,
            attempts=r.attempts,
            created_at=r.created_at,
            last_attempt_at=r.last_attempt_at,
            next_attempt_at=r.next_attempt_at,
            response_status=r.response_status,
            record=r,
        )


@strawberry.type(description="A delivery in a list, with its cursor.")
class WebhookDeliveryEdge(Edge[WebhookDelivery]):
    node: WebhookDelivery = strawberry.field(description="The delivery.")


@strawberry.type(description="A page of deliveries, newest first.")
class WebhookDeliveryConnection(Connection[WebhookDeliveryEdge, WebhookDelivery]):
    total_count: int = strawberry.field(description="All matching deliveries.")


@node_loader(WebhookEndpoint)
async def load_endpoint(info: Info, id: UUID) -> WebhookEndpoint | None:
    actor = info.context.require_actor()
    try:
        record = await endpoints.get_endpoint(
            actor=actor, id=global_id.encode("WebhookEndpoint", id)
        )
    except DomainError:  # not the owner's ADMIN: as if it did not exist
        return None
    return WebhookEndpoint.from_record(record)


@node_loader(WebhookDelivery)
async def load_delivery(info: Info, id: UUID) -> WebhookDelivery | None:
    actor = info.context.require_actor()
    try:
        record = await deliveries.get_delivery(
            actor=actor, id=global_id.encode("WebhookDelivery", id)
        )
    except DomainError:
        return None
    return WebhookDelivery.from_record(record)
