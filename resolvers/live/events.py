"""Outbox events as live subscriptions read them: by ID (PostgreSQL's notifications name the
ID) or after a position in the table (SQLite's rowid, the order its single writer committed).

Only the event's own facts are read here; the organization it is about is read later, per
subscriber, through the schema and that subscriber's tenancy."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from models import Event, EventType, OrganizationStatus
from resolvers import sql
from resolvers.audit import FieldChange


@dataclass(frozen=True, slots=True)
class LiveEvent:
    id: UUID
    organization_id: UUID
    type: EventType
    occurred_at: datetime
    from_status: OrganizationStatus | None
    to_status: OrganizationStatus | None
    changes: tuple[FieldChange, ...]


COLUMNS = ("id", "organization_id", "type", "occurred_at", "facts")
_decode = sql.decoder(Event, COLUMNS)
_LAST_SQL = 'SELECT MAX(rowid) AS "seq" FROM "webhook_event"'
_AFTER_SQL = f"""
SELECT rowid AS "seq", {sql.columns(COLUMNS)} FROM "webhook_event" WHERE rowid > $1
ORDER BY rowid LIMIT $2
"""


def _event(row: dict[str, object]) -> LiveEvent:
    values = _decode(row)
    facts = json.loads(values["facts"])
    from_status, to_status = facts.get("fromStatus"), facts.get("toStatus")
    return LiveEvent(
        id=values["id"],
        organization_id=values["organization_id"],
        type=EventType(values["type"]),
        occurred_at=values["occurred_at"],
        from_status=OrganizationStatus(from_status) if from_status else None,
        to_status=OrganizationStatus(to_status) if to_status else None,
        changes=tuple(
            FieldChange(c["field"], c["oldValue"], c["newValue"]) for c in facts.get("changes", [])
        ),
    )


async def by_ids(ids: Sequence[UUID]) -> list[LiveEvent]:
    """The events with these IDs, in the order given (missing ones left out)."""
    if not ids:
        return []
    listed = ", ".join(f"${i}" for i in range(1, len(ids) + 1))
    rows = await sql.fetch(
        f'SELECT {sql.columns(COLUMNS)} FROM "webhook_event" WHERE "id" IN ({listed})', *ids
    )
    found = {event.id: event for event in map(_event, rows)}
    return [found[i] for i in ids if i in found]


async def last_position() -> int:
    """SQLite: the rowid of the newest event (0 for none)."""
    rows = await sql.fetch(_LAST_SQL)
    return int(rows[0]["seq"] or 0)


async def after(position: int, limit: int) -> tuple[int, list[LiveEvent]]:
    """SQLite: up to `limit` events after `position`, oldest first, and the new position."""
    rows = await sql.fetch(_AFTER_SQL, position, limit)
    if not rows:
        return position, []
    return int(rows[-1]["seq"]), [_event(row) for row in rows]
