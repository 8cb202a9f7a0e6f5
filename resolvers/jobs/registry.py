"""What a worker knows: its queues (concurrency, lease) and the handlers (tasks) it runs.

A task's handler is a plain async function of one `JobContext`. It returns to succeed, or
raises: `Retry` says "no answer, try again" with a short code for operators (and may ask to
wait at least `after` seconds, or to slow the whole queue down); any other exception is
retried the same way under its class name. After the last of the task's `retry_delays` the
job is FAILED and `on_give_up` runs in the transaction that records it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID


class Retry(Exception):
    """No result this time; the job runs again after its next retry delay."""

    def __init__(self, code: str, *, after: float | None = None, slow_down: bool = False) -> None:
        super().__init__(code)
        self.code = code
        # At least this many seconds before the next attempt (a Retry-After header).
        self.after = after
        # The remote side is overloaded: postpone the queue's other jobs as well.
        self.slow_down = slow_down


@dataclass(frozen=True, slots=True)
class JobContext:
    id: UUID
    task: str
    queue: str
    payload: dict[str, Any]
    attempt: int  # 1 for the first attempt
    max_attempts: int

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts


Handler = Callable[[JobContext], Awaitable[None]]
GiveUp = Callable[[JobContext, str], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Queue:
    name: str
    # Jobs of this queue running at once, across every worker process.
    concurrency: int = 1
    lease_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class Task:
    name: str
    run: Handler
    # The waits between attempts: N delays mean N + 1 attempts.
    retry_delays: Sequence[float] = (5.0, 60.0, 600.0)
    # Each wait is stretched or shrunk by up to this fraction, so jobs that failed together
    # (a registry outage) do not all come back in the same second.
    jitter: float = 0.2
    on_give_up: GiveUp | None = None

    @property
    def max_attempts(self) -> int:
        return len(self.retry_delays) + 1


@dataclass(slots=True)
class Registry:
    queues: dict[str, Queue] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    # Called once when the worker stops (closing HTTP clients and the like).
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def add(self, queues: Iterable[Queue], tasks: Iterable[Task]) -> None:
        for queue in queues:
            self.queues[queue.name] = queue
        for task in tasks:
            if task.name in self.tasks:
                raise ValueError(f"task {task.name!r} is registered twice")
            self.tasks[task.name] = task

    async def close(self) -> None:
        for close in self.closers:
            await close()
