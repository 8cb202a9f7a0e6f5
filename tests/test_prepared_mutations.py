"""A mutation run once is run again without Strawberry's pipeline (graph/execution/prepared.py):
the same answers, statuses, access-log records and errors, masked ones included, as when every
request runs the pipeline (PORTAL_PREPARED_OPERATIONS=false)."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import resolvers.customers
from server.observability import access_log
from tests.api import Api
from tests.builders import customer_input, numbered
from tests.queries import APPROVE, CREATE

# Aliases, a fragment, __typename and a directive on a variable, in the payload's selection.
SHAPED = """
mutation Shaped($input: CreateCustomerInput!, $withContact: Boolean!) {
  made: createCustomer(input: $input) {
    __typename
    customer { ...Card primaryContact @include(if: $withContact) { email } }
    problems: errors { field code }
  }
}
fragment Card on Organization { id status label: shortName primaryAddress { formatted } }
"""
# Two operations: the one named runs.
TWO = f"""
query Nothing {{ __typename }}
{CREATE.replace("mutation Create", "mutation Create2")}
"""
# UUIDs, and request IDs (32 hex digits).
_ID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")
# Global IDs: base64 of "Type:uuid" (graph/core/node.py), unpadded.
_GLOBAL_ID = re.compile(r"(?<=\")[A-Za-z0-9_-]{48,}(?=\")")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")


@pytest.fixture
def logged() -> Iterator[list[dict[str, Any]]]:
    records: list[dict[str, Any]] = []

    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            line = json.loads(record.getMessage())
            records.append({k: line[k] for k in ("status", "operation", "outcome", "error_codes")})
            records[-1]["operation_type"] = line["operation_type"]

    handler = Lines()
    access_log.addHandler(handler)
    try:
        yield records
    finally:
        access_log.removeHandler(handler)


class _Ids:
    """Generated IDs and times replaced by their order of appearance: two runs of the same
    steps make different UUIDs, global IDs, request IDs and timestamps, and nothing else may
    differ."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        return _TIME.sub("<time>", _GLOBAL_ID.sub(self._global, _ID.sub(self._one, text)))

    def _one(self, match: re.Match[str]) -> str:
        return self.seen.setdefault(match.group(), f"<id{len(self.seen)}>")

    def _global(self, match: re.Match[str]) -> str:
        try:
            decoded = base64.urlsafe_b64decode(match.group() + "==").decode()
        except ValueError:
            return match.group()
        kind, _, raw = decoded.partition(":")
        return f"<{kind}:{self.seen.setdefault(raw, f'<id{len(self.seen)}>')}>" if raw else decoded


async def _steps(api: Api) -> AsyncIterator[tuple[int, str, str]]:
    """Every step twice or more, so the prepared path answers all but the first of each."""
    admin = api.token(api.world.reseller, "ADMIN")
    viewer = api.token(api.world.reseller, "VIEWER")

    async def send(
        query: str,
        variables: object,
        token: str | None = admin,
        name: str | None = None,
        accept: str = "application/json",
    ) -> tuple[int, str, str]:
        headers = {"Accept": accept, **({"Authorization": f"Bearer {token}"} if token else {})}
        body: dict[str, Any] = {"query": query, "variables": variables}
        if name is not None:
            body["operationName"] = name
        response = await api.client.post("/graphql", json=body, headers=headers)
        return response.status_code, response.headers["content-type"], response.text

    for n in range(3):  # new customers
        yield await send(CREATE, {"input": numbered(n)})
    yield await send(CREATE, {"input": numbered(1)})  # a duplicate: field errors
    broken = customer_input(taxId="NL123", currency="XXX", contact={"email": "no", "phone": "1"})
    for _ in range(2):  # every problem at once
        yield await send(CREATE, {"input": broken})
    for _ in range(2):  # the same key twice: made once, then replayed
        yield await send(CREATE, {"input": {**numbered(7), "idempotencyKey": "k-7"}})
    for accept in ("application/json", "application/graphql-response+json"):
        yield await send(CREATE, {"input": {"shortName": "x"}}, accept=accept)  # no coercion
        yield await send(CREATE, {"nope": 1}, accept=accept)
    yield await send(CREATE, {"input": numbered(8)}, token=None)  # UNAUTHENTICATED
    yield await send(CREATE, {"input": numbered(8)}, token=viewer)  # no permission
    yield await send(CREATE, {"input": numbered(8)}, token="not-a-token")
    for n, contact in ((10, True), (11, False), (10, True)):
        variables = {"input": numbered(n), "withContact": contact}
        yield await send(SHAPED, variables)
    for n in (20, 21):
        yield await send(TWO, {"input": numbered(n)}, name="Create2")
    yield await send(TWO, {"input": numbered(22)})  # no name: which one?
    created = json.loads((await send(CREATE, {"input": numbered(30)}))[2])
    customer = created["data"]["createCustomer"]["customer"]["id"]
    for _ in range(2):  # the first approves, the second finds it ACTIVE already
        yield await send(APPROVE, {"input": {"id": customer, "comment": "ok"}})


async def _run(api: Api) -> list[tuple[int, str, str]]:
    normalize = _Ids()
    return [(s, t, normalize(body)) async for s, t, body in _steps(api)]


async def test_prepared_mutations_answer_as_the_pipeline_does(
    api_factory: Any, pipeline_runs: list[str | None], logged: list[dict[str, Any]]
) -> None:
    async with api_factory(prepared_operations=False) as api:
        expected = await _run(api)
    expected_log, unprepared_runs = list(logged), len(pipeline_runs)
    logged.clear()
    pipeline_runs.clear()
    async with api_factory() as api:
        answered = await _run(api)
    assert unprepared_runs == len(expected) + 1  # switched off: every request, and the setup's
    for step, (want, got) in enumerate(zip(expected, answered, strict=True)):
        assert got == want, f"step {step}: {got[2][-700:]} != {want[2][-700:]}"
    assert logged == expected_log
    # Each text ran the pipeline until it was remembered: the first run of each, plus those
    # the pipeline refused before running (a document of two operations without a name).
    assert sorted(set(pipeline_runs)) == sorted({CREATE, SHAPED, TWO, APPROVE})
    assert len(pipeline_runs) <= 6
    kinds = {(r["operation"], r["outcome"]) for r in logged}
    assert {("Create", "ok"), ("Create", "failed"), ("Shaped", "ok"), ("Create2", "ok")} <= kinds


async def test_an_unexpected_error_is_masked_as_the_pipeline_masks_it(
    api_factory: Any, monkeypatch: pytest.MonkeyPatch, logged: list[dict[str, Any]]
) -> None:
    async def broken(**_: Any) -> Any:
        raise RuntimeError("SELECT secret FROM somewhere")

    answers: dict[bool, list[tuple[int, str]]] = {}
    for prepared in (False, True):
        async with api_factory(prepared_operations=prepared) as api:
            token = api.token(api.world.reseller, "ADMIN")
            # The first remembers the document; then the domain fails.
            await api.post(CREATE, {"input": numbered(1)}, token=token)
            monkeypatch.setattr(resolvers.customers, "create_customer", broken)
            response = await api.post(CREATE, {"input": numbered(2)}, token=token)
            monkeypatch.undo()
            request_id = response.headers["x-request-id"]
            answers[prepared] = [(response.status_code, response.text.replace(request_id, "R"))]
            assert "secret" not in response.text
            assert response.json()["errors"][0]["extensions"] == {
                "code": "INTERNAL_SERVER_ERROR",
                "requestId": request_id,
            }
    assert answers[True] == answers[False]
    assert logged[1] == logged[3] and logged[1]["error_codes"] == ["INTERNAL"]


async def test_a_prepared_mutation_still_needs_post(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    made = await api.gql(CREATE, {"input": numbered(1)}, token=token)
    assert made.data["createCustomer"]["errors"] == []
    got = await api.client.get(
        "/graphql",
        params={"query": CREATE, "variables": json.dumps({"input": numbered(2)})},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert got.status_code == 405 and got.headers["allow"] == "POST"


async def test_a_prepared_mutation_keeps_the_operation_time_limit(
    api_factory: Any, monkeypatch: pytest.MonkeyPatch, pipeline_runs: list[str | None]
) -> None:
    async def slow(**_: Any) -> Any:
        await asyncio.sleep(5)

    async with api_factory(operation_timeout_seconds=0.5) as api:
        token = api.token(api.world.reseller, "ADMIN")
        made = await api.gql(CREATE, {"input": numbered(1)}, token=token)
        assert made.data["createCustomer"]["errors"] == []
        monkeypatch.setattr(resolvers.customers, "create_customer", slow)
        response = await api.post(CREATE, {"input": numbered(2)}, token=token)
    assert pipeline_runs == [CREATE]  # the second took the prepared path
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "OPERATION_TIMEOUT"
