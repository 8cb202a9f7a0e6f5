"""The job table's statements: enqueue in the caller's transaction, claim, renew, finish.

Every change to a claimed job is conditional on `locked_by` still naming the worker, so a
worker whose lease expired (and whose job another worker took up) changes nothing.
Claiming respects the queue's concurrency across every process: on PostgreSQL claimers of one
queue take turns on a transaction-scoped advisory lock, then pick due rows `FOR UPDATE SKIP
LOCKED`; on SQLite one `UPDATE … RETURNING` statement holds the database's write lock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from tortoise.transactions import in_transaction

from models import Job, JobStatus
from resolvers import sql

_COLUMNS = (
    "id",
    "task",
    "queue",
    "payload",
    "status",
    "attempts",
    "run_at",
    "locked_by",
    "locked_until",
    "last_error",
    "created_at",
    "updated_at",
    "finished_at",
)
_decode = sql.decoder(Job, _COLUMNS)


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    """A job as a worker holds it; `attempts` counts this attempt."""

    id: UUID
    task: str
    queue: str
    payload: dict[str, Any]
    attempts: int
    last_error: str | None

    @classmethod
    def from_raw(cls, row: dict[str, Any]) -> ClaimedJob:
        r = _decode(row)
        return cls(
            r["id"], r["task"], r["queue"], json.loads(r["payload"]), r["attempts"], r["last_error"]
        )


def job_row(
    task: str,
    payload: Mapping[str, Any],
    *,
    queue: str,
    now: datetime | None = None,
    run_at: datetime | None = None,
    id: UUID | None = None,
) -> sql.Row:
    """The row `enqueue` inserts, for callers that insert several rows in one statement."""
    now = now or datetime.now(UTC)
    return sql.Row(
        "job",
        {
            "id": id or uuid4(),
            "task": task,
            "queue": queue,
            "payload": json.dumps(dict(payload), separators=(",", ":")),
            "status": JobStatus.QUEUED,
            "attempts": 0,
            "run_at": run_at or now,
            "locked_by": None,
            "locked_until": None,
            "last_error": None,
            "created_at": now,
            "updated_at": now,
            "finished_at": None,
        },
    )


async def enqueue(
    task: str,
    payload: Mapping[str, Any],
    *,
    queue: str,
    run_at: datetime | None = None,
) -> UUID:
    """Add a job in the caller's transaction (inside `in_transaction()` it commits or rolls
    back with the change that needs it) and return its ID."""
    row = job_row(task, payload, queue=queue, run_at=run_at)
    await sql.insert(row)
    job_id = row.values["id"]
    assert isinstance(job_id, UUID)
    return job_id


_DUE = """
    queue = $1 AND run_at <= $2
    AND (status = 'QUEUED' OR (status = 'RUNNING' AND locked_until <= $2))
"""
_RUNNING = "SELECT count(*) FROM job WHERE queue = $1 AND status = 'RUNNING' AND locked_until > $2"
_SET_RUNNING = (
    "status = 'RUNNING', attempts = job.attempts + 1, locked_by = $5, locked_until = $6, "
    "updated_at = $2"
)
_CLAIM_POSTGRES = f"""
WITH picked AS (
    SELECT id FROM job WHERE {_DUE}
    ORDER BY run_at, id
    LIMIT GREATEST(0, LEAST($3::int, $4::int - ({_RUNNING})))
    FOR UPDATE SKIP LOCKED
)
UPDATE job SET {_SET_RUNNING} FROM picked WHERE job.id = picked.id
RETURNING {sql.columns(_COLUMNS, "job")}
"""
# SQLite: a negative LIMIT means "no limit", hence max(0, ...).
_CLAIM_SQLITE = f"""
UPDATE job SET {_SET_RUNNING}
WHERE id IN (
    SELECT id FROM job WHERE {_DUE}
    ORDER BY run_at, id
    LIMIT max(0, min($3, $4 - ({_RUNNING})))
)
RETURNING {sql.columns(_COLUMNS)}
"""


async def claim(
    *, queue: str, limit: int, concurrency: int, worker: str, lease_seconds: float
) -> list[ClaimedJob]:
    """Take up to `limit` due jobs of `queue` (new, retrying, or with an expired lease) while
    fewer than `concurrency` of its jobs run anywhere."""
    now = datetime.now(UTC)
    args = (queue, now, limit, concurrency, worker, now + timedelta(seconds=lease_seconds))
    async with in_transaction() as db:
        if sql.is_postgres(db):
            # hashtext: the queue's name as the lock's key, in a namespace of our own.
            await sql.fetch(
                "SELECT pg_advisory_xact_lock(hashtext('portal.job.' || $1))", queue, db=db
            )
            rows = await sql.fetch(_CLAIM_POSTGRES, *args, db=db)
        else:
            rows = await sql.fetch(_CLAIM_SQLITE, *args, db=db)
    return [ClaimedJob.from_raw(row) for row in rows]


async def renew(*, worker: str, queue: str, lease_seconds: float) -> None:
    """Extend the lease on every job of `queue` this worker runs."""
    until = datetime.now(UTC) + timedelta(seconds=lease_seconds)
    await sql.fetch(
        "UPDATE job SET locked_until = $3"
        " WHERE locked_by = $1 AND queue = $2 AND status = 'RUNNING'",
        worker,
        queue,
        until,
    )


async def _settle(job_id: UUID, worker: str, assignments: str, *args: object) -> bool:
    rows = await sql.fetch(
        f"UPDATE job SET locked_by = NULL, locked_until = NULL, {assignments} "
        "WHERE id = $1 AND locked_by = $2 AND status = 'RUNNING' RETURNING id",
        job_id,
        worker,
        *args,
    )
    return bool(rows)


async def succeed(job_id: UUID, worker: str) -> bool:
    now = datetime.now(UTC)
    return await _settle(
        job_id,
        worker,
        "status = 'SUCCEEDED', last_error = NULL, finished_at = $3, updated_at = $3",
        now,
    )


async def retry(job_id: UUID, worker: str, *, at: datetime, error: str) -> bool:
    return await _settle(
        job_id,
        worker,
        "status = 'QUEUED', run_at = $3, last_error = $4, updated_at = $5",
        at,
        error[:64],
        datetime.now(UTC),
    )


async def fail(job_id: UUID, worker: str, *, error: str) -> bool:
    now = datetime.now(UTC)
    return await _settle(
        job_id,
        worker,
        "status = 'FAILED', last_error = $3, finished_at = $4, updated_at = $4",
        error[:64],
        now,
    )


async def release(job_id: UUID, worker: str) -> bool:
    """Hand an interrupted job back at once (graceful shutdown); the attempt does not count."""
    now = datetime.now(UTC)
    return await _settle(
        job_id,
        worker,
        "status = 'QUEUED', attempts = attempts - 1, run_at = $3, updated_at = $3",
        now,
    )


async def postpone_queue(queue: str, *, until: datetime) -> None:
    """Nothing of `queue` starts before `until` (a registry asked us to slow down)."""
    await sql.fetch(
        "UPDATE job SET run_at = $2 WHERE queue = $1 AND status = 'QUEUED' AND run_at < $2",
        queue,
        until,
    )


async def counts() -> dict[tuple[str, JobStatus], int]:
    """Jobs per (queue, status), for the metrics."""
    rows = await sql.fetch("SELECT queue, status, count(*) AS n FROM job GROUP BY queue, status")
    return {(row["queue"], JobStatus(row["status"])): int(row["n"]) for row in rows}


async def forget_finished(*, older_than: datetime) -> None:
    await sql.fetch(
        "DELETE FROM job WHERE status IN ('SUCCEEDED', 'FAILED') AND finished_at < $1", older_than
    )
