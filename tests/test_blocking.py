"""Requests built to stall the server, sent to `portal serve` (the README's command) as a real
process: each is answered quickly with a coded error while `/healthz` keeps answering.

Every attack here cost seconds, minutes or forever before its fix, and blocked the event loop
for all of it, so probes sent meanwhile waited as long. The bounds (tests/server.py) are
generous on purpose; the attacks are sized so that the unfixed server misses them by far.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from settings import Settings
from tests.api import Api
from tests.server import ATTACK_SECONDS, PROBE_SECONDS, portal_serve, while_probing


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    env = {
        "PORTAL_ACCESS_LOG": "false",
        "PORTAL_HEADER_TIMEOUT_SECONDS": "1",
        "PORTAL_BODY_TIMEOUT_SECONDS": "1",
    }
    with portal_serve(database_url, env=env) as (_, url):
        yield url


async def _raw(port: int, head: bytes, trickle: bytes = b"", every: float = 0.0) -> bytes:
    """Sends `head`, then `trickle` again and again (every `every` s, or as fast as the socket
    takes it) until the server answers; returns everything it sent back before closing."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def send() -> None:
        try:
            writer.write(head)
            await writer.drain()
            while trickle:
                writer.write(trickle)
                await writer.drain()
                await asyncio.sleep(every)
        except (ConnectionError, OSError):
            pass  # the server refused and closed: what it answered is in `reader`

    sending = asyncio.ensure_future(send())
    try:
        return await asyncio.wait_for(reader.read(-1), timeout=60)
    except (ConnectionError, OSError) as error:
        return repr(error).encode()
    finally:
        sending.cancel()
        writer.close()


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def _answer(raw: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 "), raw[:200]
    return int(head.split()[1]), json.loads(body)


async def test_a_huge_header_is_refused_after_the_limit(server: str) -> None:
    """64 MiB of `Authorization`: read to the end, then answered 200 after 7 s."""
    head = b"POST /graphql HTTP/1.1\r\nHost: portal\r\nAuthorization: Bearer "
    chunk = b"a" * 65536  # 1024 of these: 64 MiB
    raw, seconds, probes = await while_probing(server, _raw(_port(server), head, chunk))
    _assert_quick(seconds, probes)
    status, body = _answer(raw)
    assert status == 431, raw[:300]
    assert body["errors"][0]["extensions"] == {
        "code": "LIMIT_EXCEEDED",
        "limit": "maxHeaderBytes",
        "max": Settings().max_header_bytes,
    }
    assert "PORTAL_MAX_HEADER_BYTES" in body["errors"][0]["message"]


async def test_a_huge_request_line_is_refused(server: str) -> None:
    head = b"GET /graphql?query=" + b"x" * 100_000
    raw, seconds, probes = await while_probing(server, _raw(_port(server), head))
    _assert_quick(seconds, probes)
    assert _answer(raw)[0] == 431, raw[:300]


async def test_a_head_sent_byte_by_byte_times_out(server: str) -> None:
    """Slowloris: a header line every 0.2 s never ends the head; the module's server gives a
    head 1 s (PORTAL_HEADER_TIMEOUT_SECONDS). Before, the connection stayed open for good."""
    head = b"POST /graphql HTTP/1.1\r\nHost: portal\r\n"
    raw, seconds, probes = await while_probing(
        server, _raw(_port(server), head, b"X-Slow: 1\r\n", every=0.2)
    )
    assert seconds < 1 + ATTACK_SECONDS, f"the head was waited for {seconds:.1f} s"
    assert max(probes) < PROBE_SECONDS
    status, body = _answer(raw)
    assert status == 408, raw[:300]
    assert body["errors"][0]["extensions"]["limit"] == "headerTimeoutSeconds"


async def test_a_body_sent_byte_by_byte_times_out(server: str) -> None:
    """The head in time, then the declared 1,000 bytes of body one every 0.2 s: the module's
    server gives a body 1 s (PORTAL_BODY_TIMEOUT_SECONDS); before, it waited for good."""
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: portal\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n"
    )
    raw, seconds, probes = await while_probing(server, _raw(_port(server), head, b" ", every=0.2))
    assert seconds < 1 + ATTACK_SECONDS, f"the body was waited for {seconds:.1f} s"
    assert max(probes) < PROBE_SECONDS
    status, body = _answer(raw)
    assert status == 408, raw[:300]
    assert body["errors"][0]["extensions"]["limit"] == "bodyTimeoutSeconds"
    assert "PORTAL_BODY_TIMEOUT_SECONDS" in body["errors"][0]["message"]


async def test_a_silent_connection_is_closed(server: str) -> None:
    started = asyncio.get_running_loop().time()
    raw = await _raw(_port(server), b"")
    assert raw == b""  # nothing was asked, so nothing is answered
    assert asyncio.get_running_loop().time() - started < 1 + ATTACK_SECONDS


async def test_heads_within_the_limit_still_work_on_one_connection(server: str) -> None:
    """The limit counts each request's head anew on a kept-alive connection."""
    async with httpx.AsyncClient(base_url=server, timeout=30) as client:
        for _ in range(3):
            response = await client.post(
                "/graphql",
                json={"query": "{ __typename }"},
                headers={"X-Padding": "p" * 12_000},
            )
            assert response.json() == {"data": {"__typename": "Query"}}


def fragment_bomb(levels: int, name: str = "Bomb") -> str:
    """Each fragment spreads the next one twice: 2^levels spreads, in ~9 tokens per level."""
    fragments = [
        f"fragment F{i} on Organization {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Organization {{ id }}")
    return f"query {name} {{ viewer {{ organization {{ ...F0 }} }} }} " + " ".join(fragments)


async def _post(url: str, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        return await client.post("/graphql", json=body, headers=headers)


def _assert_quick(seconds: float, probes: list[float]) -> None:
    assert seconds < ATTACK_SECONDS, f"the attack took {seconds:.1f} s"
    assert max(probes) < PROBE_SECONDS, f"/healthz waited {max(probes):.1f} s"


async def test_a_fragment_bomb_costs_time_linear_in_the_document(server: str) -> None:
    """150 levels: 2^150 spreads if each is walked again. Fresh operation names each time,
    so no cache can answer for the check."""
    for round in range(3):
        body = {"query": fragment_bomb(150, name=f"Bomb{round}")}
        response, seconds, probes = await while_probing(server, _post(server, body))
        _assert_quick(seconds, probes)
        assert response.status_code == 200, response.text
        assert response.json() == {"data": {"viewer": None}}


async def test_repeated_fields_are_checked_within_a_budget(server: str) -> None:
    """graphql-core compares fields of one name pairwise: 450 × `parent { id }` spent its
    whole fixed budget, 2 s of one core, per request."""
    query = "{ viewer { organization { " + "parent { id } " * 450 + "} } }"
    response, seconds, probes = await while_probing(server, _post(server, {"query": query}))
    _assert_quick(seconds, probes)
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED", error
    assert error["extensions"]["limit"] == "maxMergeChecksPerToken"
    assert "PORTAL_MAX_MERGE_CHECKS_PER_TOKEN" in error["message"]


async def test_a_wide_filter_is_refused_before_any_work(server: str, api: Api) -> None:
    """20,000 `or` branches (0.6 MB): converting them took ~9 s of synchronous work and then
    ended in a RecursionError (a masked 500)."""
    branches = [{"shortName": {"eq": f"x{i}"}} for i in range(20_000)]
    body = {
        "query": "query($f: OrganizationFilter) { organizations(filter: $f) { totalCount } }",
        "variables": {"f": {"or": branches}},
    }
    token = api.token(api.world.distributor)
    response, seconds, probes = await while_probing(server, _post(server, body, token))
    _assert_quick(seconds, probes)
    error = response.json()["errors"][0]
    assert error["extensions"] == {
        "code": "LIMIT_EXCEEDED",
        "limit": "maxFilterConditions",
        "max": Settings().max_filter_conditions,
    }
