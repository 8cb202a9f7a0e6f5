"""The job queue in one process: transactions, claiming, retries, leases, shutdown, metrics.

Each test runs its own `Worker` over test tasks on a queue of its own, next to the app's
worker (which never claims from these queues), on both databases.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from prometheus_client import REGISTRY
from tortoise.transactions import in_transaction

from models import Job, JobStatus
from resolvers.jobs import JobContext, Queue, Registry, Retry, Task, enqueue
from resolvers.jobs import queue as jobs
from resolvers.jobs.worker import Worker
from tests.api import Api
from tests.jobs import all_finished, wait_for

Q = "test"


@asynccontextmanager
async def running(
    *tasks: Task, concurrency: int = 2, workers: int = 1, lease: float = 30.0
) -> AsyncIterator[list[Worker]]:
    started = []
    for n in range(workers):
        registry = Registry()
        registry.add([Queue(Q, concurrency=concurrency, lease_seconds=lease)], tasks)
        worker = Worker(registry, poll_seconds=0.02, name=f"test-worker-{n}")
        worker.start()
        started.append(worker)
    try:
        yield started
    finally:
        for worker in started:
            await worker.stop(grace_seconds=1)


async def _enqueue(task: str, n: int = 1, **payload: object) -> list[UUID]:
    async with in_transaction():
        return [await enqueue(task, {"n": i, **payload}, queue=Q) for i in range(n)]


async def test_a_job_commits_and_rolls_back_with_its_transaction(api: Api) -> None:
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await enqueue("noop", {}, queue=Q)
            raise RuntimeError("the change that needed the job failed")
    assert await Job.filter(queue=Q).count() == 0
    [job_id] = await _enqueue("noop")
    job = await Job.get(id=job_id)
    assert (job.status, job.attempts, job.task) == (JobStatus.QUEUED, 0, "noop")


async def test_two_workers_run_each_job_once_within_the_queue_concurrency(api: Api) -> None:
    runs: Counter[UUID] = Counter()
    active, peak = 0, 0

    async def work(ctx: JobContext) -> None:
        nonlocal active, peak
        runs[ctx.id] += 1
        active += 1
        peak = max(peak, active)
        await asyncio.sleep(0.02)
        active -= 1

    ids = await _enqueue("work", 30)
    async with running(Task("work", work), concurrency=3, workers=2):
        await wait_for(lambda: all_finished(Q))
    assert runs == Counter({job_id: 1 for job_id in ids})
    # Each worker may hold 3, but the claim counts what runs anywhere: 3 in all.
    assert 1 < peak <= 3
    assert await Job.filter(queue=Q, status=JobStatus.SUCCEEDED, attempts=1).count() == 30


async def test_retries_wait_the_configured_delays_then_give_up(api: Api) -> None:
    attempts: list[float] = []
    given_up: list[tuple[UUID, str, bool]] = []
    delays = (0.2, 0.4)

    async def busy(ctx: JobContext) -> None:
        attempts.append(time.monotonic())
        raise Retry("BUSY")

    async def give_up(ctx: JobContext, code: str) -> None:
        # Runs in the transaction that marks the job FAILED.
        row = await Job.get(id=ctx.id)
        given_up.append((ctx.id, code, row.status == JobStatus.FAILED))

    [job_id] = await _enqueue("busy")
    async with running(Task("busy", busy, retry_delays=delays, jitter=0.25, on_give_up=give_up)):
        await wait_for(lambda: all_finished(Q))
    job = await Job.get(id=job_id)
    assert (job.status, job.attempts, job.last_error) == (JobStatus.FAILED, 3, "BUSY")
    assert given_up == [(job_id, "BUSY", True)]
    gaps = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
    assert len(gaps) == 2
    for gap, delay in zip(gaps, delays, strict=True):
        assert delay * 0.75 <= gap <= delay * 1.25 + 0.5, gaps


async def test_a_job_that_fails_then_works_succeeds_and_exceptions_are_retried(api: Api) -> None:
    seen: Counter[UUID] = Counter()

    async def flaky(ctx: JobContext) -> None:
        seen[ctx.id] += 1
        assert ctx.attempt == seen[ctx.id] and ctx.max_attempts == 3
        if ctx.attempt < 3:
            raise ConnectionError("the remote end hung up")

    [job_id] = await _enqueue("flaky")
    async with running(Task("flaky", flaky, retry_delays=(0.01, 0.01))):
        await wait_for(lambda: all_finished(Q))
    job = await Job.get(id=job_id)
    assert (job.status, job.attempts, job.last_error) == (JobStatus.SUCCEEDED, 3, None)


async def test_retry_after_and_slow_down_postpone_the_queue(api: Api) -> None:
    started: dict[int, float] = {}

    async def throttled(ctx: JobContext) -> None:
        n = int(ctx.payload["n"]) + int(ctx.payload.get("later", 0))
        if n == 0 and ctx.attempt == 1:
            started[-1] = time.monotonic()
            raise Retry("MS_MAX_CONCURRENT_REQ", after=0.6, slow_down=True)
        started.setdefault(n, time.monotonic())

    await _enqueue("throttled", 2)
    async with running(Task("throttled", throttled, retry_delays=(0.01,)), concurrency=1):
        await wait_for(lambda: Job.filter(queue=Q, last_error="MS_MAX_CONCURRENT_REQ").exists())
        await _enqueue("throttled", 1, later=2)  # arrives while the queue is slowed down
        await wait_for(lambda: all_finished(Q))
    # The throttled job waits for Retry-After, and so do the ones queued behind it.
    assert sorted(started) == [-1, 0, 1, 2]
    assert min(started[n] for n in (0, 1, 2)) - started[-1] >= 0.6


async def test_a_job_whose_lease_expired_is_taken_up_again(api: Api) -> None:
    runs: list[tuple[int, datetime]] = []

    async def work(ctx: JobContext) -> None:
        runs.append((ctx.attempt, datetime.now(UTC)))

    [job_id] = await _enqueue("work")
    # A worker that claims and then dies: nobody renews its lease.
    before_claim = datetime.now(UTC)
    [claimed] = await jobs.claim(queue=Q, limit=1, concurrency=2, worker="dead", lease_seconds=0.3)
    assert claimed.id == job_id
    async with running(Task("work", work)):  # polls every 0.02 s
        await wait_for(lambda: all_finished(Q))
    [(attempt, taken_at)] = runs
    assert attempt == 2
    # Not taken while the lease held (the worker polled all along): measured, not slept for.
    assert taken_at - before_claim >= timedelta(seconds=0.3)
    # The dead worker's late answer changes nothing.
    assert not await jobs.succeed(job_id, "dead")


async def test_a_running_job_keeps_its_lease_while_it_works(api: Api) -> None:
    runs: list[int] = []
    lease = 1.0  # renewed every third of it; 0.3 s left too little room on a busy machine

    async def slow(ctx: JobContext) -> None:
        runs.append(ctx.attempt)
        first = (await Job.get(id=ctx.id)).locked_until
        assert first is not None

        async def renewed_past_its_first_expiry() -> bool:
            held = (await Job.get(id=ctx.id)).locked_until
            return held is not None and held - first >= timedelta(seconds=lease)

        # Work until the lease it was claimed with has run out and been renewed.
        await wait_for(renewed_past_its_first_expiry, what="the lease renewed")

    await _enqueue("slow")
    async with running(Task("slow", slow), workers=2, lease=lease):
        await wait_for(lambda: all_finished(Q))
    assert runs == [1]  # the other worker never took it


async def test_graceful_stop_hands_running_jobs_back_at_once(api: Api) -> None:
    started = asyncio.Event()

    async def forever(ctx: JobContext) -> None:
        started.set()
        await asyncio.sleep(3600)

    [job_id] = await _enqueue("forever")
    async with running(Task("forever", forever)):
        await asyncio.wait_for(started.wait(), 10)
    job = await Job.get(id=job_id)
    assert (job.status, job.attempts, job.locked_by) == (JobStatus.QUEUED, 0, None)
    assert job.run_at <= datetime.now(UTC)


async def test_metrics_count_jobs_per_queue_and_state(api: Api) -> None:
    def attempts(task: str, outcome: str) -> float:
        labels = {"task": task, "outcome": outcome}
        return REGISTRY.get_sample_value("portal_job_attempts_total", labels) or 0.0

    before = attempts("done", "succeeded"), attempts("unknown", "retried")
    await _enqueue("noop", 2)
    async with running(Task("done", lambda ctx: asyncio.sleep(0))):
        await _enqueue("done")
        await wait_for(lambda: Job.filter(task="done", status=JobStatus.SUCCEEDED).exists())
    text = (await api.client.get("/metrics")).text
    assert f'portal_jobs{{queue="{Q}",status="QUEUED"}} 2.0' in text
    assert f'portal_jobs{{queue="{Q}",status="SUCCEEDED"}} 1.0' in text
    assert f'portal_jobs{{queue="{Q}",status="FAILED"}} 0.0' in text
    assert 'portal_job_attempts_total{outcome="succeeded",task="done"}' in text
    # Jobs of a task this worker does not know wait for a worker that knows it.
    assert (attempts("done", "succeeded"), attempts("unknown", "retried")) == (
        before[0] + 1,
        before[1] + 2,
    )
