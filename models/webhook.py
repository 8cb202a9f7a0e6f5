"""Events out: the outbox (one row per change, written in the change's transaction), the
endpoints organizations register, and each delivery of an event to an endpoint with its
attempts. resolvers/webhooks fills and reads these tables; this module only describes them."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import DeliveryStatus, EventType


# The outbox: what happened to which organization. Never updated: the delivery jobs and the
# subscriptions read it. (Comments, not docstrings: Tortoise turns a model's docstring into
# the table's SQL comment.)
class Event(Model):
    id = fields.UUIDField(primary_key=True)
    # The organization the event is about (no foreign key: events outlive nothing, but the
    # outbox row goes in the change's own statement, before or after the organization's).
    organization_id = fields.UUIDField()
    type = fields.CharEnumField(EventType, max_length=48)
    occurred_at = fields.DatetimeField()
    request_id = fields.CharField(max_length=64, null=True)
    # JSON text: the event's own facts ({"fromStatus", "toStatus", "changes"}), never the
    # organization itself (the payload shows it as the API shows it to each receiver).
    facts = fields.TextField()

    class Meta:
        table = "webhook_event"
        indexes = (Index(fields=("organization_id", "occurred_at"), name="webhook_event_org_time"),)


class Endpoint(Model):
    id = fields.UUIDField(primary_key=True)
    organization_id = fields.UUIDField()  # the owner: it registered it and sees its deliveries
    url = fields.CharField(max_length=2048)
    # Comma-separated EventType values the endpoint wants.
    events = fields.TextField()
    description = fields.CharField(max_length=500, null=True)
    enabled = fields.BooleanField(default=True)
    # Why the system disabled it (null when enabled, or disabled by a person).
    disabled_reason = fields.CharField(max_length=500, null=True)
    # whsec_…: signing needs the secret itself, so it is stored, and shown only once.
    secret = fields.CharField(max_length=128)
    # After a rotation the old secret signs too, until `previous_secret_expires_at`.
    previous_secret = fields.CharField(max_length=128, null=True)
    previous_secret_expires_at = fields.DatetimeField(null=True)
    # Since when every attempt failed (null after a success): the basis for disabling.
    failing_since = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "webhook_endpoint"
        indexes = (Index(fields=("organization_id", "created_at"), name="webhook_endpoint_org"),)


# One event for one endpoint. Its job has the same ID.
class Delivery(Model):
    id = fields.UUIDField(primary_key=True)
    endpoint_id = fields.UUIDField()
    event_id = fields.UUIDField()
    event_type = fields.CharEnumField(EventType, max_length=48)
    # The owner of the endpoint (listing without a join) and the event's organization.
    owner_id = fields.UUIDField()
    organization_id = fields.UUIDField(null=True)
    status = fields.CharEnumField(DeliveryStatus, max_length=16)
    attempts = fields.IntField(default=0)
    # The JSON body, rendered once: every retry sends the same bytes.
    body = fields.TextField()
    created_at = fields.DatetimeField()
    last_attempt_at = fields.DatetimeField(null=True)
    next_attempt_at = fields.DatetimeField(null=True)
    response_status = fields.IntField(null=True)

    class Meta:
        table = "webhook_delivery"
        unique_together = (("endpoint_id", "event_id"),)
        indexes = (
            Index(fields=("owner_id", "created_at"), name="webhook_delivery_owner"),
            Index(fields=("endpoint_id", "created_at"), name="webhook_delivery_endpoint"),
        )


class DeliveryAttempt(Model):
    id = fields.UUIDField(primary_key=True)
    delivery_id = fields.UUIDField()
    number = fields.IntField()  # 1 for the first attempt
    started_at = fields.DatetimeField()
    duration_ms = fields.IntField()
    # The HTTP status, or null when no answer came (then `error` says why).
    response_status = fields.IntField(null=True)
    # A short code: TIMEOUT, CONNECT_ERROR, REFUSED_ADDRESS, HTTP_500, ...
    error = fields.CharField(max_length=64, null=True)
    # The first bytes of the response body, as text, for whoever debugs the receiver.
    response_excerpt = fields.TextField(null=True)

    class Meta:
        table = "webhook_delivery_attempt"
        indexes = (Index(fields=("delivery_id", "number"), name="webhook_attempt_delivery"),)
