"""The transactional outbox: every audited change writes its event in its own transaction.

`event_rows` gives the rows to insert next to the change (the event, and the job that fans it
out to the endpoints that may see it), so the event commits or rolls back with the change and
survives a crash of the process right after the commit: the job is in the table, and any
worker takes it up. Fan-out jobs of one organization share an ordering key, so its events go
out in the order they happened.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from models import EventType, OrganizationStatus
from resolvers import sql
from resolvers.jobs import job_row

QUEUE = "webhooks"
FANOUT_TASK = "webhook_fanout"


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str  # dotted API path, e.g. "primaryAddress.city"
    old_value: str | None
    new_value: str | None


_last = datetime.min.replace(tzinfo=UTC)
_lock = threading.Lock()


def _now() -> datetime:
    """Strictly increasing within the process: events written in one transaction (create and
    approve at once) keep their order even within one clock tick."""
    global _last
    with _lock:
        now = max(datetime.now(UTC), _last + timedelta(microseconds=1))
        _last = now
        return now


def fanout_key(organization_id: UUID) -> str:
    return f"fanout:{organization_id}"


def event_rows(
    type: EventType,
    organization_id: UUID,
    *,
    from_status: OrganizationStatus | None = None,
    to_status: OrganizationStatus | None = None,
    changes: Sequence[FieldChange] = (),
    request_id: str | None = None,
) -> list[sql.Row]:
    """The event and its fan-out job, for `sql.insert` in the change's transaction (or its
    statement)."""
    now = _now()
    event_id = uuid4()
    facts = {
        "fromStatus": from_status.value if from_status else None,
        "toStatus": to_status.value if to_status else None,
        "changes": [
            {"field": c.field, "oldValue": c.old_value, "newValue": c.new_value} for c in changes
        ],
    }
    event = sql.Row(
        "webhook_event",
        {
            "id": event_id,
            "organization_id": organization_id,
            "type": type,
            "occurred_at": now,
            "request_id": request_id,
            "facts": json.dumps(facts, separators=(",", ":")),
        },
    )
    job = job_row(
        FANOUT_TASK,
        {"event": str(event_id)},
        queue=QUEUE,
        now=now,
        ordering_key=fanout_key(organization_id),
    )
    return [event, job]


async def record_event(type: EventType, organization_id: UUID, **facts: object) -> UUID:
    """Write the event now, in the caller's transaction; returns its ID."""
    rows = event_rows(type, organization_id, **facts)  # type: ignore[arg-type]
    await sql.insert(*rows)
    event_id = rows[0].values["id"]
    assert isinstance(event_id, UUID)
    return event_id
