"""Real uvicorn servers for tests that speak HTTP over TCP.

`Server` runs the app in a separate process configured only by environment variables (for
concurrency across connections and SIGKILL); `serve` runs it in a thread of this process (for
outside suites such as the graphql-http audit that just need a URL).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TypeVar

import httpx
import uvicorn

from models.database import migrate
from server.app import create_app
from settings import Settings
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parent.parent
# Bounds for tests that time an attack on a real server. They are generous, for a loaded
# 2-core machine: what they catch takes minutes or forever (the event loop blocked).
ATTACK_SECONDS = 5.0
PROBE_SECONDS = 3.0
T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`portal`'s ASGI app under uvicorn, configured only through environment variables."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "server.app:create_app",
                "--factory",
                # What `portal serve` runs: a bounded request head and time to send it.
                "--http",
                "server.protocol:BoundedHttpToolsProtocol",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not become ready")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no rollback by the application."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@asynccontextmanager
async def running(settings: Settings, **env: str) -> AsyncIterator[Server]:
    """A `Server` process on the test's database, accepting the test's tokens."""
    server = Server(
        {"PORTAL_DATABASE_URL": settings.database_url, "PORTAL_JWT_KEY": TEST_KEY, **env}
    )
    await asyncio.to_thread(server.start)
    try:
        yield server
    finally:
        await asyncio.to_thread(server.stop)


@contextmanager
def portal_serve(
    database_url: str, *args: str, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`portal serve` on a free port; yields the process and its base URL once it is ready."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.cli", "serve", "--port", str(port), *args],
        cwd=ROOT,
        env={
            **os.environ,
            "PORTAL_DATABASE_URL": database_url,
            "PORTAL_JWT_KEY": TEST_KEY,
            **(env or {}),
            "PYTHONUNBUFFERED": "1",  # the printed tokens arrive before the server runs
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, process.communicate()
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "portal serve did not become ready"
            time.sleep(0.1)
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """Migrate the database, start the app and yield its GraphQL URL; stop it afterwards."""
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=0, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)

    def run() -> None:
        # Own event loop and context: the ORM state of the test session is not touched.
        asyncio.run(migrate(settings))
        server.run()

    thread = threading.Thread(target=run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


async def while_probing(base_url: str, attack: Awaitable[T]) -> tuple[T, float, list[float]]:
    """Runs `attack` while `GET /healthz` is sent again and again on another connection.
    Returns the attack's result, how long it took, and how long each probe took (a probe
    that times out counts as a minute)."""

    async def timed() -> tuple[T, float]:
        started = time.monotonic()
        result = await attack
        return result, time.monotonic() - started

    task = asyncio.ensure_future(timed())
    probes: list[float] = []
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        while not probes or not task.done():
            sent = time.monotonic()
            try:
                response = await client.get("/healthz")
                assert response.status_code == 200, response.text
                probes.append(time.monotonic() - sent)
            except httpx.TimeoutException:
                probes.append(60.0)
            await asyncio.sleep(0.02)
    result, seconds = await task
    return result, seconds, probes


@contextmanager
def serving(env: dict[str, str]) -> Iterator[Server]:
    """A started `Server` for a module-scoped fixture (sync, so it outlives any one test's
    event loop); `running` is the per-test, async form on the test's own settings."""
    server = Server(env)
    server.start()
    try:
        yield server
    finally:
        server.stop()
