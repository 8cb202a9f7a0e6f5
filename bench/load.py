"""The load side: a tiny keep-alive HTTP/1.1 client and a fixed-concurrency driver.

httpx spends ~0.3 ms of CPU per request; against a raw endpoint doing 2,000 requests/s the
load process would become the bottleneck, so requests are written by hand on asyncio streams.
Responses must carry Content-Length (Starlette's always do).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

Request = tuple[str, bytes]  # (path, JSON body); always POST
CLOCK_TICK = os.sysconf("SC_CLK_TCK")


class Connection:
    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/json\r\n"
            f"{self.head}Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


@dataclass
class Result:
    requests: int
    failures: int
    seconds: float
    latencies: list[float]
    cpu: float
    first_failure: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0

    @property
    def cpu_per_request_ms(self) -> float:
        return 1000 * self.cpu / self.requests if self.requests else 0.0


async def drive(
    *,
    port: int,
    pid: int,
    headers: dict[str, str],
    make: Callable[[int], Request | None],
    check: Callable[[int, bytes], str | None],
    concurrency: int,
    max_requests: int,
    seconds: float,
    warmup: int,
) -> Result:
    """Send `make(i)` for i = 0, 1, ... from `concurrency` connections until `max_requests`,
    `seconds` or `make` returning None; the first `warmup` requests are not measured."""
    counter = iter(range(10**9))
    latencies: list[float] = []
    failures: list[str] = []
    deadline = float("inf")

    async def worker(conn: Connection, limit: int) -> None:
        while time.perf_counter() < deadline:
            i = next(counter)
            request = make(i) if i < limit else None
            if request is None:
                return
            start = time.perf_counter()
            status, body = await conn.post(*request)
            elapsed = time.perf_counter() - start
            problem = f"HTTP {status}: {body[:300]!r}" if status != 200 else check(i, body)
            if problem:
                failures.append(problem)
            elif i >= warmup:
                latencies.append(elapsed)

    conns = [Connection("127.0.0.1", port, headers) for _ in range(concurrency)]
    try:
        await asyncio.gather(*(worker(c, warmup) for c in conns))
        counter = iter(range(warmup, 10**9))
        cpu_before, started = cpu_seconds(pid), time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(worker(c, warmup + max_requests) for c in conns))
        elapsed, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
    finally:
        for conn in conns:
            await conn.close()
    return Result(len(latencies), len(failures), elapsed, latencies, cpu, next(iter(failures), ""))
