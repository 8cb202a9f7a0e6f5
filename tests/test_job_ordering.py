"""Ordering keys: jobs sharing a key run one at a time, oldest first, even with spare
concurrency and two workers; a retrying job holds back the younger jobs of its key, and
jobs of other keys pass it."""

from __future__ import annotations

import asyncio

from tortoise.transactions import in_transaction

from resolvers.jobs import JobContext, Retry, Task, enqueue
from tests.api import Api
from tests.jobs import all_finished, wait_for
from tests.test_jobs import Q, running


async def test_jobs_of_one_key_run_in_order_and_one_at_a_time(api: Api) -> None:
    ran: list[tuple[str, int]] = []
    failed_once: set[int] = set()
    active: dict[str, int] = {}

    async def work(ctx: JobContext) -> None:
        key, n = ctx.payload["key"], ctx.payload["n"]
        active[key] = active.get(key, 0) + 1
        assert active[key] == 1, "two jobs of one key ran at once"
        try:
            await asyncio.sleep(0.01)
            if key == "a" and n == 0 and n not in failed_once:
                failed_once.add(n)
                raise Retry("FIRST_TRY")
            ran.append((key, n))
        finally:
            active[key] -= 1

    async with in_transaction():
        for n in range(4):
            for key in ("a", "b"):
                await enqueue("ordered", {"key": key, "n": n}, queue=Q, ordering_key=key)
    async with running(Task("ordered", work, retry_delays=(0.3,), jitter=0), concurrency=4,
                       workers=2):  # fmt: skip
        await wait_for(lambda: all_finished(Q))
    assert [n for key, n in ran if key == "a"] == [0, 1, 2, 3]
    assert [n for key, n in ran if key == "b"] == [0, 1, 2, 3]
    # While a's first job waited for its retry, b's jobs went ahead.
    assert ran.index(("b", 3)) < ran.index(("a", 0))
