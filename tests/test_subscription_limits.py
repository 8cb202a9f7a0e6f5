"""What bounds a subscription connection, against a real uvicorn server with small limits:
connections per process, the connection_init wait, message size, pings, slow readers, and
a graceful shutdown."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.api import Api
from tests.builders import customer_input
from tests.conftest import TEST_KEY, ApiFactory
from tests.live import PROTOCOL, live, subscribed, until_gauge, until_subscribed
from tests.queries import CREATE
from tests.server import Server, portal_serve, serving
from tests.waiting import until

LIMITS = {
    "PORTAL_JWT_KEY": TEST_KEY,
    "PORTAL_JOBS_IN_SERVER": "false",
    "PORTAL_ACCESS_LOG": "false",
    "PORTAL_SUBSCRIPTION_POLL_SECONDS": "0.05",
    "PORTAL_SUBSCRIPTION_MAX_CONNECTIONS": "2",
    "PORTAL_SUBSCRIPTION_INIT_TIMEOUT_SECONDS": "0.5",
    "PORTAL_SUBSCRIPTION_QUEUE_SIZE": "1",
    "PORTAL_WS_MAX_MESSAGE_BYTES": "2048",
    "PORTAL_WS_PING_INTERVAL_SECONDS": "0.3",
    "PORTAL_WS_PING_TIMEOUT_SECONDS": "0.3",
}


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[Server]:
    with serving({"PORTAL_DATABASE_URL": database_url, **LIMITS}) as process:
        yield process


@pytest.fixture
async def api(api_factory: ApiFactory, server: Server) -> AsyncIterator[Api]:
    async with api_factory() as started:
        await until_gauge(server.url, "connections", lambda n: n == 0, "no connections are left")
        yield started


def _init(api: Api) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.token(api.world.reseller)}"}


async def test_connections_past_the_limit_are_refused_saying_why(api: Api, server: Server) -> None:
    async with live(server.url) as first, live(server.url) as second:
        for client in (first, second):
            assert (await client.init(_init(api)))["type"] == "connection_ack"
        async with live(server.url) as third:
            code, reason = await third.closed()
        assert code == 1013
        assert reason and "PORTAL_SUBSCRIPTION_MAX_CONNECTIONS" in reason
    await until_gauge(server.url, "connections", lambda n: n == 0, "both connections closed")
    async with live(server.url) as again:  # a slot is free again
        assert (await again.init(_init(api)))["type"] == "connection_ack"


async def test_a_client_that_never_sends_connection_init_is_closed(
    api: Api, server: Server
) -> None:
    started = time.monotonic()
    async with live(server.url) as client:
        code, _ = await client.closed(seconds=10)
    assert code == 4408
    assert 0.4 < time.monotonic() - started < 5


async def test_a_message_over_the_size_limit_closes_the_connection(
    api: Api, server: Server
) -> None:
    async with live(server.url) as client:
        await client.send({"type": "connection_init", "payload": {"padding": "x" * 4096}})
        code, _ = await client.closed()
    assert code == 1009
    async with httpx.AsyncClient(base_url=server.url) as probe:
        assert (await probe.get("/healthz")).status_code == 200


async def test_a_peer_that_stops_answering_pings_is_dropped(api: Api, server: Server) -> None:
    """A raw socket completes the handshake and then never answers: the server's pings go
    unanswered and it closes the connection (without pings it would hold it forever)."""
    port = int(server.url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"GET /graphql HTTP/1.1\r\nHost: portal\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Protocol: " + PROTOCOL.encode() + b"\r\n\r\n"
    )
    await writer.drain()
    started = time.monotonic()
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        assert head.startswith(b"HTTP/1.1 101"), head
        # A valid connection_init in time (neither the init timeout nor a refusal closes it) ...
        init = {"type": "connection_init", "payload": _init(api)}
        writer.write(_masked_text(json.dumps(init).encode()))
        await writer.drain()
        received = b""
        # ... and then nothing: read (and ignore the pings) until the server hangs up.
        async with asyncio.timeout(9):  # under the 10 s a close handshake may take
            while chunk := await reader.read(4096):
                received += chunk
    finally:
        writer.close()
    assert b"connection_ack" in received
    assert b"keepalive ping timeout" in received  # the close frame's reason (1011)
    assert time.monotonic() - started < 5


def _masked_text(payload: bytes) -> bytes:
    """One text frame as a client must send it (masked), for payloads under 64 KiB."""
    mask = b"\x01\x02\x03\x04"
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    size = len(payload)
    length = bytes([0x80 | size]) if size < 126 else bytes([0x80 | 126]) + size.to_bytes(2, "big")
    return b"\x81" + length + mask + body


async def test_a_subscriber_that_falls_behind_is_dropped(api: Api, server: Server) -> None:
    """Create-and-approve commits two events at once; with room for one queued event the
    second finds the queue full, and the subscriber is closed rather than buffered."""
    admin = api.token(api.world.reseller, "ADMIN")
    async with subscribed(server.url, admin) as client:
        async with httpx.AsyncClient(base_url=server.url) as http:
            response = await http.post(
                "/graphql",
                json={"query": CREATE, "variables": {"input": customer_input(approve=True)}},
                headers={"Authorization": f"Bearer {admin}"},
            )
        assert response.json()["data"]["createCustomer"]["errors"] == []
        code, reason = await client.closed()
    assert code == 1013
    assert reason and "PORTAL_SUBSCRIPTION_QUEUE_SIZE" in reason
    await until_subscribed(server.url, 0)


async def test_shutdown_closes_subscribers_and_exits_promptly(api: Api, database_url: str) -> None:
    process = Server({"PORTAL_DATABASE_URL": database_url, **LIMITS})
    await asyncio.to_thread(process.start)
    try:
        admin = api.token(api.world.reseller, "ADMIN")
        async with subscribed(process.url, admin) as client:
            assert process.process is not None
            process.process.terminate()
            started = time.monotonic()
            code, _ = await client.closed()
            assert code in {1001, 1012}  # going away / service restart
        await until(lambda: process.process.poll() is not None, "the server exited", 15)
        # uvicorn re-raises the SIGTERM it handled once shutdown is done.
        assert process.process.returncode in {0, -15}
        assert time.monotonic() - started < 10
    finally:
        await asyncio.to_thread(process.stop)


async def test_nothing_a_client_sends_over_the_socket_reaches_the_log(
    api: Api, database_url: str
) -> None:
    """`portal serve` logs at INFO with the access log on: a handshake with a query string,
    refused tokens, malformed messages and a failing document leave no trace of their values
    (uvicorn's per-handshake line, with the client's address, is dropped too)."""
    secret = "hunter2-canary"
    with portal_serve(database_url, env={"PORTAL_SUBSCRIPTION_INIT_TIMEOUT_SECONDS": "1"}) as (
        process,
        url,
    ):
        async with live(url) as client:
            await client.send({"type": "connection_init", "payload": {"Authorization": secret}})
            await client.closed()
        for message in (f"not json {secret}", f'{{"type": "{secret}"}}'):
            async with live(url) as client:
                assert (await client.init(_init(api)))["type"] == "connection_ack"
                await client.socket.send(message)
                await client.closed()
        async with live(url) as client:
            assert (await client.init(_init(api)))["type"] == "connection_ack"
            await client.subscribe(variables={"kinds": [secret]})
            refused = await client.receive()
            assert refused["type"] == "error", refused
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert "WebSocket" not in stderr
    assert secret not in stderr
