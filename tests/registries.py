"""The registry simulator (portal/simulator.py) on a real port, in a thread of the test process,
so the app's worker reaches it over HTTP exactly as it reaches VIES and HMRC."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from portal.simulator import CLIENT_ID, CLIENT_SECRET, Registries, create_simulator


@dataclass(frozen=True)
class Simulator:
    url: str
    registries: Registries

    def env(self) -> dict[str, str]:
        """The settings that point a server process at the simulator."""
        return {
            "PORTAL_VIES_URL": f"{self.url}/vies",
            "PORTAL_HMRC_URL": f"{self.url}/hmrc",
            "PORTAL_HMRC_CLIENT_ID": CLIENT_ID,
            "PORTAL_HMRC_CLIENT_SECRET": CLIENT_SECRET,
        }


@contextmanager
def simulator() -> Iterator[Simulator]:
    registries = Registries()
    config = uvicorn.Config(
        create_simulator(registries), host="127.0.0.1", port=0, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the registry simulator did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Simulator(f"http://127.0.0.1:{port}", registries)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
