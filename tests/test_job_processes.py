"""The job queue across processes: separate worker processes (`python -m tests.jobs`, the
test tasks under the real `Worker`) on one database, and a worker killed with SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tortoise.transactions import in_transaction

from models import Job, JobStatus
from resolvers.jobs import enqueue
from settings import Settings
from tests.api import Api
from tests.jobs import QUEUE, all_finished, wait_for
from tests.server import ROOT


@contextmanager
def worker_process(
    settings: Settings, log: Path, lease: float = 30.0
) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_JOB_LEASE_SECONDS": str(lease),
    }
    process = subprocess.Popen([sys.executable, "-m", "tests.jobs", str(log)], cwd=ROOT, env=env)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=20)


def _lines(log: Path) -> list[tuple[str, str, str]]:
    if not log.exists():
        return []
    return [tuple(line.split()) for line in log.read_text().splitlines()]  # type: ignore[misc]


def _events(log: Path) -> list[tuple[str, str, str]]:
    """What the jobs did: (start or done, job ID, pid)."""
    return [line for line in _lines(log) if line[0] != "ready"]


async def _ready(log: Path, *processes: subprocess.Popen[bytes]) -> None:
    """Until each worker process runs (a fixed sleep was too short on a busy machine)."""
    pids = {str(p.pid) for p in processes}

    async def all_ready() -> bool:
        return pids <= {pid for event, _, pid in _lines(log) if event == "ready"}

    await wait_for(all_ready, seconds=60, what="the worker processes")


async def _enqueue(n: int, **payload: object) -> list[str]:
    async with in_transaction():
        return [str(await enqueue("record", dict(payload), queue=QUEUE)) for _ in range(n)]


async def test_two_worker_processes_run_each_job_once(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "runs.log"
    with worker_process(settings, log) as first, worker_process(settings, log) as second:
        await _ready(log, first, second)  # both polling before the jobs arrive
        ids = await _enqueue(200)
        await wait_for(lambda: all_finished(QUEUE), seconds=60)
        pids = {str(first.pid), str(second.pid)}
    starts = Counter(job for event, job, _ in _events(log) if event == "start")
    assert starts == Counter({job_id: 1 for job_id in ids})
    assert {pid for event, _, pid in _events(log) if event == "start"} == pids  # both took part
    assert await Job.filter(queue=QUEUE, status=JobStatus.SUCCEEDED, attempts=1).count() == 200


async def test_a_job_whose_worker_was_killed_runs_again_after_its_lease(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "runs.log"
    [job_id] = await _enqueue(1, first_attempt_seconds=30)
    with worker_process(settings, log, lease=1.5) as doomed:

        async def started() -> bool:
            return any(event == "start" for event, _, _ in _events(log))

        await wait_for(started, what="the first attempt")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    job = await Job.get(id=job_id)
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)  # held by a dead worker
    with worker_process(settings, log, lease=1.5) as survivor:
        await wait_for(lambda: all_finished(QUEUE), seconds=30)
    job = await Job.get(id=job_id)
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2)
    events = _events(log)
    assert [(e, j) for e, j, _ in events] == [
        ("start", job_id),
        ("start", job_id),
        ("done", job_id),
    ]
    assert events[1][2] == events[2][2] == str(survivor.pid)


def test_portal_worker_starts_and_stops_gracefully_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "PORTAL_DATABASE_URL": f"sqlite://{tmp_path / 'w.sqlite3'}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("Worker ")  # migrated and running
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()
