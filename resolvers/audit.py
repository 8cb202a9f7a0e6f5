"""The audit log: every change to a customer, who made it, when, and what it changed.

Every audited change — creation, an edit, a status change, a tax-authority verdict — is
described by one `Entry` and written through `rows()` (or `record()`), inside the change's own
transaction, so the log can never miss a change or hold one that was rolled back. One write is
one entry, however many fields it touched.

Events hang off this module: whatever must happen exactly when a change is committed (the
webhooks' transactional outbox, live subscriptions) adds its rows in `rows()`, and every
writer picks them up without knowing about it.

Contact fields are personal data: `FieldChange.personal` marks them, and whoever shows an entry
shows their values only to those who may read the contact (`graph` does so for `auditLog`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from models import AuditAction, AuditEntry, EventType, OrganizationStatus
from resolvers import rows as tables
from resolvers import sql
from resolvers.actors import Actor
from resolvers.tenancy import visible_sql
from resolvers.webhooks import outbox

PERSONAL_PREFIX = "primaryContact."


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One edited field: its dotted API path ("primaryAddress.city") and canonical values."""

    field: str
    old: str | None
    new: str | None

    @property
    def personal(self) -> bool:
        return self.field.startswith(PERSONAL_PREFIX)


@dataclass(frozen=True, slots=True)
class Entry:
    """One audited write. `version` is the organization's version after it (a system entry,
    whose actor is None, keeps the version it saw: versions count what people write)."""

    organization_id: UUID
    action: AuditAction
    version: int
    occurred_at: datetime
    actor: Actor | None
    request_id: str | None
    from_status: OrganizationStatus | None = None
    to_status: OrganizationStatus | None = None
    comment: str | None = None
    changes: tuple[FieldChange, ...] = ()


def rows(entry: Entry) -> list[sql.Row]:
    """The rows that record `entry`, for the writer to insert with its own change (in the same
    statement on PostgreSQL, the same transaction on SQLite). The one place audited changes
    pass through: rows that must be written with every change (events) are added here."""
    changes = (
        json.dumps([{"field": c.field, "old": c.old, "new": c.new} for c in entry.changes])
        if entry.changes
        else None
    )
    return [
        sql.Row(
            "audit_entry",
            {
                "id": uuid4(),
                "organization_id": entry.organization_id,
                "action": entry.action,
                "version": entry.version,
                "occurred_at": entry.occurred_at,
                "actor_subject": entry.actor.subject if entry.actor else None,
                "actor_org_id": entry.actor.home_org_id if entry.actor else None,
                "request_id": entry.request_id,
                "from_status": entry.from_status,
                "to_status": entry.to_status,
                "comment": entry.comment,
                "changes": changes,
            },
        ),
        # The change's event (webhooks, subscriptions): the transactional outbox.
        *outbox.event_rows(
            _EVENTS[AuditAction(entry.action)],
            entry.organization_id,
            from_status=entry.from_status,
            to_status=entry.to_status,
            changes=[outbox.FieldChange(c.field, c.old, c.new) for c in entry.changes],
            request_id=entry.request_id,
        ),
    ]


def status_rows(
    *,
    organization_id: UUID,
    version: int,
    from_status: OrganizationStatus | None,
    to_status: OrganizationStatus,
    comment: str | None,
    actor: Actor,
    now: datetime,
    request_id: str | None,
) -> list[sql.Row]:
    """A status change as every writer records it: its history entry (`status_change`) and
    its audit entry with the entry's event. `from_status` None: the creation (CREATED)."""
    return [
        tables.history_row(
            organization_id=organization_id,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
            actor=actor,
            now=now,
            request_id=request_id,
        ),
        *rows(
            Entry(
                organization_id=organization_id,
                action=AuditAction.CREATED if from_status is None else AuditAction.STATUS_CHANGED,
                version=version,
                occurred_at=now,
                actor=actor,
                request_id=request_id,
                from_status=from_status,
                to_status=to_status,
                comment=comment,
            )
        ),
    ]


_EVENTS = {
    AuditAction.CREATED: EventType.CUSTOMER_CREATED,
    AuditAction.UPDATED: EventType.CUSTOMER_UPDATED,
    AuditAction.STATUS_CHANGED: EventType.CUSTOMER_STATUS_CHANGED,
    AuditAction.TAX_ID_VERIFICATION: EventType.TAX_ID_VERIFICATION_CHANGED,
}


async def record(entry: Entry) -> None:
    """Write `entry` now, in the caller's transaction (for writers that run their own
    statements inside `atomic()`, such as background jobs)."""
    await sql.insert(*rows(entry))


def diff(old: Mapping[str, str | None], new: Mapping[str, str | None]) -> tuple[FieldChange, ...]:
    """The fields whose canonical value differs, in `new`'s order (form order)."""
    return tuple(
        FieldChange(field, old.get(field), value)
        for field, value in new.items()
        if old.get(field) != value
    )


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry as read back."""

    id: UUID
    organization_id: UUID
    action: AuditAction
    version: int
    occurred_at: datetime
    actor_subject: str | None
    actor_org_id: UUID | None
    request_id: str | None
    from_status: OrganizationStatus | None
    to_status: OrganizationStatus | None
    comment: str | None
    changes: tuple[FieldChange, ...]


COLUMNS = (
    "id",
    "organization_id",
    "action",
    "version",
    "occurred_at",
    "actor_subject",
    "actor_org_id",
    "request_id",
    "from_status",
    "to_status",
    "comment",
    "changes",
)
_decode = sql.decoder(AuditEntry, COLUMNS)
# Version first: the order people wrote in, whatever the clocks of several processes say.
_PAGE_SQL = f"""
SELECT {sql.columns(COLUMNS)} FROM "audit_entry" WHERE "organization_id" = $1
ORDER BY "version", "occurred_at", "id" LIMIT $2 OFFSET $3
"""
_COUNT_SQL = 'SELECT COUNT(*) AS "n" FROM "audit_entry" WHERE "organization_id" = $1'


def _stored(row: dict[str, object]) -> StoredEntry:
    values = _decode(row)
    raw = values.pop("changes")
    changes = tuple(
        FieldChange(c["field"], c["old"], c["new"]) for c in (json.loads(raw) if raw else [])
    )
    action, to, from_ = values.pop("action"), values.pop("to_status"), values.pop("from_status")
    return StoredEntry(
        **values,
        action=AuditAction(action),
        to_status=OrganizationStatus(to) if to else None,
        from_status=OrganizationStatus(from_) if from_ else None,
        changes=changes,
    )


async def page(organization_id: UUID, *, offset: int, limit: int) -> list[StoredEntry]:
    """Entries of one organization, oldest first; the caller has checked it is visible."""
    found = await sql.fetch(_PAGE_SQL, organization_id, limit, offset)
    return [_stored(row) for row in found]


async def count(organization_id: UUID) -> int:
    found = await sql.fetch(_COUNT_SQL, organization_id)
    return int(found[0]["n"])


def canonical(values: Iterable[tuple[str, object]]) -> dict[str, str | None]:
    """Field paths to their canonical text (enums by value), for `diff`."""
    return {
        field: None if value is None else str(getattr(value, "value", value))
        for field, value in values
    }


async def get_entries(*, actor: Actor, ids: Sequence[UUID]) -> dict[UUID, StoredEntry]:
    """Entries by ID, only of organizations the actor may see (others look missing)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    listed = ", ".join(f"${i}" for i in range(1, len(wanted) + 1))
    condition, scope = visible_sql(actor, len(wanted) + 1)
    found = await sql.fetch(
        f'SELECT {sql.columns(COLUMNS)} FROM "audit_entry" WHERE "id" IN ({listed}) '
        f'AND "organization_id" IN (SELECT "id" FROM "organization" WHERE {condition})',
        *wanted,
        *scope,
    )
    return {entry.id: entry for entry in map(_stored, found)}
