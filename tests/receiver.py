"""A real HTTP receiver for webhook tests: uvicorn on a free port, in the test's event loop.

It records every request (path, headers, body) and answers from a script: each entry is a
status code, or ("sleep", seconds) to answer only after that long (a timeout for the sender),
or ("redirect", path); when the script is used up it answers `default`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.server import free_port


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str

    @property
    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = orjson.loads(self.body)
        return parsed


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    script: list[Any] = field(default_factory=list)
    default: int = 204

    async def handle(self, request: Request) -> Response:
        body = (await request.body()).decode()
        self.received.append(Received(request.url.path, dict(request.headers), body))
        answer = self.script.pop(0) if self.script else self.default
        if isinstance(answer, tuple) and answer[0] == "sleep":
            await asyncio.sleep(answer[1])
            return Response("late", status_code=200)
        if isinstance(answer, tuple) and answer[0] == "redirect":
            return Response(status_code=307, headers={"location": answer[1]})
        return Response(None if answer == 204 else f"answer {answer}", status_code=answer)

    def of_type(self, type_: str) -> list[Received]:
        return [r for r in self.received if r.json.get("type") == type_]

    async def wait(
        self, check: Callable[[list[Received]], bool], *, seconds: float = 20.0
    ) -> list[Received]:
        deadline = time.monotonic() + seconds
        while not check(self.received):
            if time.monotonic() > deadline:
                types = [r.json.get("type") for r in self.received]
                raise AssertionError(f"receiver timed out; got {types}")
            await asyncio.sleep(0.05)
        return self.received


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    port = free_port()
    box = Receiver(url=f"http://127.0.0.1:{port}/hooks")

    async def handle(request: Request) -> Response:
        return await box.handle(request)

    app = Starlette(routes=[Route("/{path:path}", handle, methods=["POST", "GET"])])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield box
    finally:
        server.should_exit = True
        await task
