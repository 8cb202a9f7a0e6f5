"""The worker: claims due jobs, runs their handlers, renews their leases, settles them.

One `Worker` per process, inside `portal serve` (the app's lifespan) or alone (`portal
worker`). It polls each queue every `poll_seconds` while idle and again as soon as a job
ends; it holds at most the queue's concurrency of jobs, and the claim itself enforces that
limit across processes. `stop()` is the graceful shutdown: no new claims, running jobs get
`grace_seconds` to end, the rest are cancelled and handed back to the queue at once (no
waiting for their leases) without counting the attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from prometheus_client import Counter, Gauge
from tortoise.transactions import in_transaction

from models import JobStatus
from resolvers.jobs import queue as jobs
from resolvers.jobs.registry import JobContext, Queue, Registry, Retry, Task

log = logging.getLogger("portal.jobs")

JOBS = Gauge(
    "portal_jobs",
    "Jobs in the database by queue and status (QUEUED, RUNNING, SUCCEEDED, FAILED).",
    ["queue", "status"],
    multiprocess_mode="mostrecent",
)
ATTEMPTS = Counter(
    "portal_job_attempts",
    "Job attempts this process ran, by task and outcome (succeeded, retried, failed, released).",
    ["task", "outcome"],
)
# Unknown tasks (a job written by a newer release) wait for a worker that knows them.
_UNKNOWN = Task(name="", run=lambda ctx: asyncio.sleep(0), retry_delays=(60.0, 600.0, 3600.0))
HOUSEKEEPING_SECONDS = 3600.0


async def refresh_gauges(queues: list[str] | None = None) -> None:
    """Set `portal_jobs` from the table (called when /metrics is scraped)."""
    found = await jobs.counts()
    names = set(queues or ()) | {queue for queue, _ in found}
    for name in names:
        for status in JobStatus:
            JOBS.labels(name, status.value).set(found.get((name, status), 0))


class Worker:
    def __init__(
        self,
        registry: Registry,
        *,
        poll_seconds: float = 1.0,
        retention_seconds: float = 7 * 86400,
        name: str | None = None,
    ) -> None:
        self.registry = registry
        self.poll_seconds = poll_seconds
        self.retention_seconds = retention_seconds
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid4().hex[:8]}"
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._running: dict[str, dict[UUID, asyncio.Task[None]]] = {
            name: {} for name in registry.queues
        }
        self._loop: asyncio.Task[None] | None = None
        # Queues a registry asked to slow down: this process claims nothing from them until
        # then (their queued jobs are postponed in the table for the other processes).
        self._paused_until: dict[str, float] = {}

    def start(self) -> None:
        """Run in the background of the current event loop (and ORM context)."""
        self._loop = asyncio.create_task(self.run(), name=f"worker {self.name}")

    async def run(self) -> None:
        renewing = asyncio.create_task(self._renew_leases())
        housekeeping = asyncio.create_task(self._housekeeping())
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                if not await self._claim_round():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
        finally:
            renewing.cancel()
            housekeeping.cancel()
            # Awaited, so no statement of theirs is in flight when the ORM closes.
            await asyncio.gather(renewing, housekeeping, return_exceptions=True)

    async def stop(self, grace_seconds: float = 25.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._loop is not None:
            await self._loop
        running = [t for queue in self._running.values() for t in queue.values()]
        if running:
            _, late = await asyncio.wait(running, timeout=grace_seconds)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self.registry.close()

    async def _claim_round(self) -> bool:
        """Claim what each queue has room for; True when a queue may have more right away."""
        more = False
        for queue in self.registry.queues.values():
            running = self._running[queue.name]
            room = queue.concurrency - len(running)
            if room <= 0 or self._stopping.is_set():
                continue
            if self._paused_until.get(queue.name, 0.0) > time.monotonic():
                continue
            try:
                claimed = await jobs.claim(
                    queue=queue.name,
                    limit=room,
                    concurrency=queue.concurrency,
                    worker=self.name,
                    lease_seconds=queue.lease_seconds,
                )
            except Exception as error:  # the database is away: try again next round
                log.warning("claiming from %s failed: %s", queue.name, type(error).__name__)
                continue
            for job in claimed:
                running[job.id] = asyncio.create_task(self._run(queue, job))
            more = more or len(claimed) == room
        return more

    async def _run(self, queue: Queue, job: jobs.ClaimedJob) -> None:
        task = self.registry.tasks.get(job.task, _UNKNOWN)
        ctx = JobContext(job.id, job.task, job.queue, job.payload, job.attempts, task.max_attempts)
        try:
            if task is _UNKNOWN:
                raise Retry("UNKNOWN_TASK")
            if ctx.attempt > task.max_attempts:
                # Its last attempt never reported back (the worker died): give up now.
                await self._give_up(task, ctx, job.last_error or "LEASE_EXPIRED")
                return
            await task.run(ctx)
        except asyncio.CancelledError:
            await self._settle(task, "released", jobs.release(job.id, self.name))
            raise
        except Retry as retry:
            await self._again(queue, task, ctx, retry)
        except Exception as error:
            log.warning(
                "job %s (%s) attempt %d raised %s",
                job.id,
                job.task,
                job.attempts,
                type(error).__name__,
            )
            await self._again(queue, task, ctx, Retry(type(error).__name__))
        else:
            await self._settle(task, "succeeded", jobs.succeed(job.id, self.name))
        finally:
            self._running[queue.name].pop(job.id, None)
            self._wake.set()

    async def _again(self, queue: Queue, task: Task, ctx: JobContext, retry: Retry) -> None:
        if ctx.is_last_attempt:
            await self._give_up(task, ctx, retry.code)
            return
        delay = task.retry_delays[ctx.attempt - 1] * random.uniform(
            1 - task.jitter, 1 + task.jitter
        )
        if retry.after is not None:
            delay = max(delay, retry.after)
        now = datetime.now(UTC)
        at = now + timedelta(seconds=delay)
        await self._settle(task, "retried", jobs.retry(ctx.id, self.name, at=at, error=retry.code))
        if retry.slow_down:
            pause = retry.after if retry.after is not None else delay
            self._paused_until[queue.name] = time.monotonic() + pause
            with contextlib.suppress(Exception):
                await jobs.postpone_queue(queue.name, until=now + timedelta(seconds=pause))

    async def _give_up(self, task: Task, ctx: JobContext, code: str) -> None:
        async def record() -> bool:
            async with in_transaction():
                failed = await jobs.fail(ctx.id, self.name, error=code)
                if failed and task.on_give_up is not None:
                    await task.on_give_up(ctx, code)
                return failed

        await self._settle(task, "failed", record())

    async def _settle(self, task: Task, outcome: str, settling: Awaitable[bool]) -> None:
        """Record the attempt's end; if the database is away the lease runs out instead and
        another attempt follows, which handlers are written to tolerate."""
        try:
            settled = await settling
        except Exception as error:
            log.warning("settling a %s job failed: %s", task.name, type(error).__name__)
            return
        if settled:
            ATTEMPTS.labels(task.name or "unknown", outcome).inc()

    async def _renew_leases(self) -> None:
        while True:
            shortest = min((q.lease_seconds for q in self.registry.queues.values()), default=60.0)
            await asyncio.sleep(shortest / 3)
            for queue in self.registry.queues.values():
                if self._running[queue.name]:
                    with contextlib.suppress(Exception):
                        await jobs.renew(
                            worker=self.name, queue=queue.name, lease_seconds=queue.lease_seconds
                        )

    async def _housekeeping(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                older = datetime.now(UTC) - timedelta(seconds=self.retention_seconds)
                await jobs.forget_finished(older_than=older)
            await asyncio.sleep(HOUSEKEEPING_SECONDS)
