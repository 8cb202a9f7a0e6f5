"""Webhook endpoints: register, change, delete, rotate the secret; ADMIN of the owner only.

An endpoint belongs to the organization that registered it; other organizations' endpoints
behave as if they did not exist (NOT_FOUND), whoever asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from tortoise.transactions import in_transaction

from models import Delivery, DeliveryAttempt, Endpoint, EventType
from resolvers import global_id
from resolvers.actors import Actor, Permission
from resolvers.errors import ErrorCode, FieldError, Forbidden, InvalidInput, NotFound
from resolvers.validation.text import is_refused_char
from resolvers.webhooks import signing
from resolvers.webhooks.addresses import RefusedUrl, check_url

MAX_ENDPOINTS = 20
MAX_DESCRIPTION = 500
# What an endpoint may subscribe to: every event type but the test sends, which it always gets.
SUBSCRIBABLE = tuple(t for t in EventType if t is not EventType.WEBHOOK_TEST)
_COLUMNS = (
    "id",
    "organization_id",
    "url",
    "events",
    "description",
    "enabled",
    "disabled_reason",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class EndpointRecord:
    id: UUID
    organization_id: UUID
    url: str
    events: tuple[EventType, ...]
    description: str | None
    enabled: bool
    disabled_reason: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_values(cls, row: dict[str, object]) -> EndpointRecord:
        raw = str(row["events"])
        return cls(**{**row, "events": tuple(EventType(e) for e in raw.split(",") if e)})  # type: ignore[arg-type]


def require_manager(actor: Actor) -> None:
    if not actor.can(Permission.MANAGE_WEBHOOKS):
        raise Forbidden("Managing webhooks needs the ADMIN role.")


async def list_endpoints(*, actor: Actor) -> list[EndpointRecord]:
    require_manager(actor)
    rows = (
        await Endpoint.filter(organization_id=actor.org_id)
        .order_by("created_at", "id")
        .values(*_COLUMNS)
    )
    return [EndpointRecord.from_values(row) for row in rows]


async def get_endpoint(
    *, actor: Actor, id: str, field: tuple[str, ...] = ("id",)
) -> EndpointRecord:
    require_manager(actor)
    endpoint_id = global_id.decode_uuid(id, "WebhookEndpoint")
    rows = (
        await Endpoint.filter(id=endpoint_id, organization_id=actor.org_id).values(*_COLUMNS)
        if endpoint_id
        else []
    )
    if not rows:
        raise NotFound("No such webhook endpoint.", field=field)
    return EndpointRecord.from_values(rows[0])


async def _checked(
    url: str | None,
    events: Sequence[EventType] | None,
    description: str | None,
    *,
    allow_private: bool,
) -> tuple[str | None, str | None, str | None]:
    """The values to store (None: not given), or InvalidInput with every problem."""
    problems: list[FieldError] = []
    clean_url = url.strip() if url is not None else None
    if clean_url is not None:
        try:
            await check_url(clean_url, allow_private=allow_private)
        except RefusedUrl as refused:
            problems.append(FieldError(("url",), ErrorCode.INVALID_FORMAT, str(refused)))
    stored_events = None
    if events is not None:
        chosen = [e for e in SUBSCRIBABLE if e in set(events)]
        if not chosen:
            problems.append(
                FieldError(("events",), ErrorCode.REQUIRED, "Choose at least one event.")
            )
        stored_events = ",".join(e.value for e in chosen)
    clean_description = description.strip() if description is not None else None
    if clean_description is not None:
        if len(clean_description) > MAX_DESCRIPTION:
            message = f"Use at most {MAX_DESCRIPTION} characters."
            problems.append(FieldError(("description",), ErrorCode.TOO_LONG, message))
        elif any(is_refused_char(ch) for ch in clean_description):
            message = "Remove control characters."
            problems.append(FieldError(("description",), ErrorCode.INVALID_FORMAT, message))
    if problems:
        raise InvalidInput(problems)
    return clean_url, stored_events, clean_description or None


async def create_endpoint(
    *,
    actor: Actor,
    url: str,
    events: Sequence[EventType],
    description: str | None,
    allow_private: bool,
) -> tuple[EndpointRecord, str]:
    """The endpoint and its secret (the only time the secret is shown)."""
    require_manager(actor)
    clean_url, stored_events, clean_description = await _checked(
        url, events, description, allow_private=allow_private
    )
    assert clean_url is not None and stored_events is not None
    now = datetime.now(UTC)
    secret = signing.new_secret()
    async with in_transaction():
        if await Endpoint.filter(organization_id=actor.org_id).count() >= MAX_ENDPOINTS:
            message = f"An organization may register at most {MAX_ENDPOINTS} endpoints."
            raise InvalidInput([FieldError(None, ErrorCode.LIMIT_REACHED, message)])
        endpoint = await Endpoint.create(
            id=uuid4(),
            organization_id=actor.org_id,
            url=clean_url,
            events=stored_events,
            description=clean_description,
            enabled=True,
            secret=secret,
            created_at=now,
            updated_at=now,
        )
    return await _reload(endpoint.id), secret


async def update_endpoint(
    *,
    actor: Actor,
    id: str,
    url: str | None,
    events: Sequence[EventType] | None,
    description: str | None,
    enabled: bool | None,
    allow_private: bool,
) -> EndpointRecord:
    current = await get_endpoint(actor=actor, id=id)
    clean_url, stored_events, clean_description = await _checked(
        url, events, description, allow_private=allow_private
    )
    changes: dict[str, object] = {}
    if clean_url is not None:
        changes["url"] = clean_url
    if stored_events is not None:
        changes["events"] = stored_events
    if description is not None:
        changes["description"] = clean_description
    if enabled is not None:
        changes["enabled"] = enabled
        # Switched on again by a person: the failure streak that disabled it is over.
        if enabled:
            changes.update(disabled_reason=None, failing_since=None)
    if changes:
        changes["updated_at"] = datetime.now(UTC)
        await Endpoint.filter(id=current.id).update(**changes)
    return await _reload(current.id)


async def delete_endpoint(*, actor: Actor, id: str) -> UUID:
    """Deleted with its deliveries; their queued jobs find nothing to send and end."""
    current = await get_endpoint(actor=actor, id=id)
    async with in_transaction():
        deliveries = await Delivery.filter(endpoint_id=current.id).values_list("id", flat=True)
        await DeliveryAttempt.filter(delivery_id__in=list(deliveries)).delete()
        await Delivery.filter(endpoint_id=current.id).delete()
        await Endpoint.filter(id=current.id).delete()
    return current.id


async def rotate_secret(
    *, actor: Actor, id: str, grace_seconds: float
) -> tuple[EndpointRecord, str]:
    """A new secret; the old one keeps signing (next to the new) for `grace_seconds`."""
    current = await get_endpoint(actor=actor, id=id)
    now = datetime.now(UTC)
    secret = signing.new_secret()
    async with in_transaction():
        old = (
            await Endpoint.filter(id=current.id)
            .select_for_update()
            .values_list("secret", flat=True)
        )
        await Endpoint.filter(id=current.id).update(
            secret=secret,
            previous_secret=old[0] if grace_seconds > 0 else None,
            previous_secret_expires_at=now + timedelta(seconds=grace_seconds),
            updated_at=now,
        )
    return await _reload(current.id), secret


async def _reload(endpoint_id: UUID) -> EndpointRecord:
    rows = await Endpoint.filter(id=endpoint_id).values(*_COLUMNS)
    return EndpointRecord.from_values(rows[0])
