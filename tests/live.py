"""A graphql-transport-ws client for tests (the `websockets` library, a runtime dependency
already: uvicorn serves WebSockets with it), and waiting for a server's subscribers."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

PROTOCOL = "graphql-transport-ws"
EVENTS = """
subscription Events($kinds: [WebhookEventType!]) {
  organizationEvents(kinds: $kinds) {
    id type occurredAt fromStatus toStatus
    organization { id shortName status parent { id } }
    changes { field oldValue newValue }
  }
}
"""


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://", 1) + "/graphql"


class Live:
    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self, seconds: float = 15) -> dict[str, Any]:
        async with asyncio.timeout(seconds):
            while True:
                frame = await self.socket.recv()
                assert isinstance(frame, str), "graphql-transport-ws sends text frames"
                message = json.loads(frame)
                if message["type"] == "ping":
                    await self.send({"type": "pong"})
                    continue
                return message

    async def init(self, payload: dict[str, Any] | None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload or {}})
        return await self.receive()

    async def subscribe(
        self, id: str = "1", query: str = EVENTS, variables: dict[str, Any] | None = None
    ) -> None:
        await self.send(
            {"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )

    async def next(self, seconds: float = 15) -> dict[str, Any]:
        """The next `next` message's data (fails on anything else)."""
        message = await self.receive(seconds)
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]["organizationEvents"]

    async def closed(self, seconds: float = 15) -> tuple[int | None, str | None]:
        """Waits for the server to close; returns its close code and reason."""
        try:
            async with asyncio.timeout(seconds):
                while True:
                    await self.socket.recv()
        except ConnectionClosed as closed:
            frame = closed.rcvd
            return (frame.code, frame.reason) if frame else (None, None)
        raise AssertionError("unreachable")


@asynccontextmanager
async def live(base_url: str, **headers: str) -> AsyncIterator[Live]:
    async with connect(
        ws_url(base_url), subprotocols=[PROTOCOL], additional_headers=headers, open_timeout=15
    ) as socket:  # type: ignore[list-item]
        yield Live(socket)


@asynccontextmanager
async def subscribed(
    base_url: str, token: str, variables: dict[str, Any] | None = None, **init: str
) -> AsyncIterator[Live]:
    """A connection acknowledged with `token` and one subscription the server has registered
    (so a change made now is seen)."""
    async with live(base_url) as client:
        before = await subscriptions(base_url)
        ack = await client.init({"Authorization": f"Bearer {token}", **init})
        assert ack["type"] == "connection_ack", ack
        await client.subscribe(variables=variables)
        await until_subscribed(base_url, before + 1)
        yield client


async def gauge(base_url: str, state: str) -> int:
    """The server's `portal_live{state=...}`: "subscriptions" or "connections"."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        text = (await client.get("/metrics")).text
    found = re.search(rf'^portal_live\{{state="{state}"\}} ([0-9.e+]+)$', text, re.M)
    return int(float(found.group(1))) if found else 0


async def subscriptions(base_url: str) -> int:
    return await gauge(base_url, "subscriptions")


async def until_gauge(
    base_url: str, state: str, wanted: Callable[[int], bool], what: str, seconds: float = 30
) -> None:
    deadline = time.monotonic() + seconds
    while True:
        seen = await gauge(base_url, state)
        if wanted(seen):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:g} s waiting until {what} ({seen})")
        await asyncio.sleep(0.05)


async def until_subscribed(base_url: str, count: int) -> None:
    """Until exactly `count` subscriptions run on the server (0: the last test's are gone)."""
    await until_gauge(base_url, "subscriptions", lambda n: n == count, f"{count} subscriptions")
