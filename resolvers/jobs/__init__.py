"""Durable background work on the application's own database (the `job` table).

Why not a library: procrastinate, the best-kept Python queue on PostgreSQL, is PostgreSQL-only
(PL/pgSQL functions, LISTEN/NOTIFY) and talks through psycopg, so it could neither run on
SQLite nor write a job in the transaction Tortoise's asyncpg connection holds. The table here
is small, and the statements that matter are in `queue.py`.

The API, all of it:

    from resolvers.jobs import Queue, Retry, Task, enqueue, job_row

    await enqueue("verify_tax_id", {"organization": str(org_id)}, queue="vies")
        # inside `in_transaction()`: the job commits or rolls back with the change needing it;
        # `job_row(...)` is the same row for `sql.insert(*rows)` batches
    async def run(ctx: JobContext) -> None: ...   # return = done; raise Retry("CODE", after=s,
        # slow_down=True) or any exception = try again after the next delay (with jitter)
    Task("verify_tax_id", run, retry_delays=(60, 300), on_give_up=...)   # after the last delay
    Queue("vies", concurrency=2, lease_seconds=60)  # at most 2 running across all processes

Register queues and tasks in `tasks.build_registry`; `portal serve` (in its lifespan, unless
PORTAL_JOBS_IN_SERVER=false) and `portal worker` run a `Worker` over that registry.

Guarantees: each job runs once at a time (claims are exclusive: `FOR UPDATE SKIP LOCKED` under
a per-queue advisory lock on PostgreSQL, one `UPDATE … RETURNING` on SQLite); a job whose
worker died is taken up again once its lease (renewed while it runs) has expired; delivery is
at least once, so a handler must tolerate running again after a crash (check, then write
conditionally). `portal_jobs{queue,status}` on /metrics counts jobs per state.
"""

from resolvers.jobs.queue import enqueue, job_row
from resolvers.jobs.registry import JobContext, Queue, Registry, Retry, Task

__all__ = ["JobContext", "Queue", "Registry", "Retry", "Task", "enqueue", "job_row"]
