"""The server shell around the endpoint: the HTTP/1.1 connection under the app
(server/protocol.py) writes each response's head with its body in one write, and nothing HTTP
allows around that is lost (HEAD, pipelined requests, `Expect: 100-continue`); GraphQL over
HTTP goes from the middleware straight to its endpoint (server/app.py), everything else
through the router, and an unexpected failure is still a plain 500."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.datastructures import Headers
from starlette.routing import Router

from server.headers import header, header_map
from server.middleware import BodySizeLimit
from server.protocol import BODY_RECEIVED, _OneWrite
from server.view import GraphQLEndpoint
from tests.api import Api
from tests.server import portal_serve


class _Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


class _Cycle:
    response_started = False


def test_the_head_waits_for_the_first_body_bytes() -> None:
    transport, cycle = _Transport(), _Cycle()
    one = _OneWrite(transport, cycle)  # type: ignore[arg-type]
    one.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # before the response: straight through
    cycle.response_started = True
    one.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    one.write(b"chunk 1")
    one.write(b"chunk 2")
    assert transport.writes[1:] == [b"HTTP/1.1 200 OK\r\n\r\nchunk 1", b"chunk 2"]
    assert not one.is_closing()  # everything else is the transport's own


def test_closing_sends_a_held_head_first() -> None:
    transport, cycle = _Transport(), _Cycle()
    one = _OneWrite(transport, cycle)  # type: ignore[arg-type]
    cycle.response_started = True
    one.write(b"HTTP/1.1 200 OK\r\n\r\n")
    one.close()
    assert transport.writes == [b"HTTP/1.1 200 OK\r\n\r\n"] and transport.closed


@pytest.fixture(scope="module")
def port(database_url: str) -> Iterator[int]:
    with portal_serve(database_url, env={"PORTAL_ACCESS_LOG": "false"}) as (_, url):
        yield int(url.rsplit(":", 1)[1])


async def _exchange(port: int, sent: bytes, *, then: bytes = b"") -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(sent)
        await writer.drain()
        if then:  # after the server's interim answer
            interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
            writer.write(then)
            await writer.drain()
            return interim + await asyncio.wait_for(reader.read(-1), timeout=10)
        return await asyncio.wait_for(reader.read(-1), timeout=10)
    finally:
        writer.close()


def _responses(raw: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Status, headers and body of each response in `raw` (bodies by content-length)."""
    answers = []
    while raw:
        head, _, raw = raw.partition(b"\r\n\r\n")
        status_line, *lines = head.decode().split("\r\n")
        headers = dict(line.lower().split(": ", 1) for line in lines)
        length = int(headers.get("content-length", "0"))
        answers.append((int(status_line.split()[1]), headers, raw[:length]))
        raw = raw[length:]
    return answers


def _data(body: bytes) -> Any:
    return json.loads(body)


async def test_pipelined_requests_and_head_answer_in_order(port: int) -> None:
    query = b'{"query": "{ __typename }"}'
    post = (
        b"POST /graphql HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(query), query)
    )
    sent = (
        b"GET /healthz HTTP/1.1\r\nHost: portal\r\n\r\n"
        b"HEAD /healthz HTTP/1.1\r\nHost: portal\r\n\r\n"
        + post
        + b"GET /healthz HTTP/1.1\r\nHost: portal\r\nConnection: close\r\n\r\n"
    )
    raw = await _exchange(port, sent)
    # HEAD: the same head as GET and no body, so the next response starts right after it.
    head_end = raw.index(b"\r\n\r\n", raw.index(b"HTTP/1.1", 1)) + 4
    first, head_only = raw[: raw.index(b"HTTP/1.1", 1)], raw[raw.index(b"HTTP/1.1", 1) : head_end]
    rest = _responses(raw[head_end:])
    [(status, headers, body)] = _responses(first)
    assert status == 200 and _data(body) == {"status": "ok"}
    assert head_only.startswith(b"HTTP/1.1 200 ") and b"content-length: 15" in head_only
    assert [r[0] for r in rest] == [200, 200], raw
    assert _data(rest[0][2]) == {"data": {"__typename": "Query"}}
    assert _data(rest[1][2]) == {"status": "ok"} and rest[1][1]["connection"] == "close"


async def test_expect_100_continue_gets_its_interim_answer_then_the_response(port: int) -> None:
    query = b'{"query": "{ __typename }"}'
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\n"
        b"Expect: 100-continue\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(query)
    )
    raw = await _exchange(port, head, then=query)
    assert raw.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"), raw[:200]
    [(status, _, body)] = _responses(raw[len(b"HTTP/1.1 100 Continue\r\n\r\n") :])
    assert status == 200 and _data(body) == {"data": {"__typename": "Query"}}


async def test_graphql_over_http_skips_the_router_and_nothing_else(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    routed: list[str] = []
    original = Router.__call__

    async def counting(self: Router, scope: Any, receive: Any, send: Any) -> None:
        routed.append(f"{scope['method']} {scope['path']}")
        await original(self, scope, receive, send)

    monkeypatch.setattr(Router, "__call__", counting)
    answered = await api.client.post("/graphql", json={"query": "{ __typename }"})
    assert answered.json() == {"data": {"__typename": "Query"}}
    assert answered.headers["x-request-id"]  # the endpoint's own work, as before
    assert (await api.client.get("/graphql", params={"query": "{ __typename }"})).is_success
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    put = await api.client.put("/graphql", json={"query": "{ __typename }"})
    assert put.status_code == 405  # the router's answer, as before
    assert routed == ["GET /healthz", "PUT /graphql"]


async def test_an_unexpected_failure_on_the_direct_path_is_a_plain_500(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(GraphQLEndpoint, "__call__", broken)
    transport = httpx.ASGITransport(app=api.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        answered = await client.post("/graphql", json={"query": "{ __typename }"})
    assert answered.status_code == 500 and answered.text == "Internal Server Error"


async def test_a_body_the_server_holds_whole_is_read_without_a_timer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The protocol marks a request whose body it has whole (server/protocol.py); the body
    limit then reads it without arming its timer, and arms it for any other request."""
    armed: list[float] = []
    real = asyncio.timeout

    def counting(delay: float) -> Any:
        armed.append(delay)
        return real(delay)

    monkeypatch.setattr("server.middleware.asyncio.timeout", counting)
    seen: list[bytes] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((await receive())["body"])

    limit = BodySizeLimit(app, max_bytes=100, timeout=5)
    for marked in (True, False):
        scope = {"type": "http", "headers": [], **({BODY_RECEIVED: True} if marked else {})}
        messages = iter([{"type": "http.request", "body": b"{}", "more_body": False}])

        async def receive(messages: Any = messages) -> Any:
            return next(messages)

        await limit(scope, receive, None)  # type: ignore[arg-type]
    assert seen == [b"{}", b"{}"] and armed == [5]


def test_headers_are_read_once_first_of_each_as_starlette_reads_them() -> None:
    raw = [(b"content-type", b"application/json"), (b"content-type", b"text/plain")]
    scope: dict[str, Any] = {"type": "http", "headers": [*raw, (b"x-caf\xe9", b"\xe9")]}
    assert header(scope, b"content-type") == Headers(scope=scope).get("content-type")
    assert header(scope, b"x-caf\xe9") == "\xe9" and header(scope, b"accept") is None
    scope["headers"] = []  # read once: the map kept in the scope answers
    assert header_map(scope)[b"content-type"] == b"application/json"
