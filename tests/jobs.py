"""Test tasks for the job queue, and waiting on the job table.

`python -m tests.jobs QUEUE_LOG` runs a worker process over these tasks (configured by
PORTAL_DATABASE_URL and PORTAL_JOB_LEASE_SECONDS), as `portal worker` runs the application's.
Each attempt appends "<event> <job id> <pid>" to the log file, and the worker, once it runs,
"ready worker <pid>"; one short write with O_APPEND is atomic, so several processes may share
the file.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from tortoise import Tortoise

from models import Job
from models.database import tortoise_config
from resolvers.jobs import JobContext, Queue, Registry, Task
from resolvers.jobs.worker import Worker
from settings import Settings

QUEUE = "test-processes"


def _append(log: Path, line: str) -> None:
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, f"{line} {os.getpid()}\n".encode())
    finally:
        os.close(fd)


def process_registry(log: Path, lease_seconds: float) -> Registry:
    async def record(ctx: JobContext) -> None:
        _append(log, f"start {ctx.id}")
        first = float(ctx.payload.get("first_attempt_seconds", 0.01))
        await asyncio.sleep(first if ctx.attempt == 1 else 0.01)
        _append(log, f"done {ctx.id}")

    registry = Registry()
    registry.add(
        [Queue(QUEUE, concurrency=4, lease_seconds=lease_seconds)], [Task("record", record)]
    )
    return registry


async def _main(log: Path) -> None:
    settings = Settings.from_env()
    await Tortoise.init(config=tortoise_config(settings))
    worker = Worker(process_registry(log, settings.job_lease_seconds), poll_seconds=0.05)
    stopping = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopping.set)
    worker.start()
    _append(log, "ready worker")
    await stopping.wait()
    await worker.stop(grace_seconds=5)
    await Tortoise.close_connections()


async def wait_for(
    check: Callable[[], Awaitable[bool]], *, seconds: float = 20.0, what: str = "the jobs"
) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def all_finished(queue: str) -> bool:
    return not await Job.filter(queue=queue, status__in=["QUEUED", "RUNNING"]).exists()


if __name__ == "__main__":
    asyncio.run(_main(Path(sys.argv[1])))
