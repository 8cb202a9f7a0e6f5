"""Requests built to stall the server, sent to `portal serve` (the README's command) as a real
process: each is answered quickly with a coded error while `/healthz` keeps answering.

Every attack here cost seconds, minutes or forever before its fix, and blocked the event loop
for all of it, so probes sent meanwhile waited as long. The bounds (tests/server.py) are
generous on purpose; the attacks are sized so that the unfixed server misses them by far.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.server import ATTACK_SECONDS, PROBE_SECONDS, portal_serve, while_probing


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    env = {"PORTAL_ACCESS_LOG": "false", "PORTAL_HEADER_TIMEOUT_SECONDS": "1"}
    with portal_serve(database_url, env=env) as (_, url):
        yield url


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
