"""A read the compiled path answered once is answered again without Strawberry's pipeline
(graph/execution/prepared.py): the same bytes, and every check that depends on the
request (who asks, the variables, their filter limits) still made."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from server.http import GraphQLView
from server.observability import access_log
from tests.api import Api
from tests.builders import numbered
from tests.queries import CREATE

LIST = """query Tab($status: OrganizationStatus!, $names: [String!]) {
  organizations(filter: {status: {eq: $status}, shortName: {in: $names}}) {
    totalCount nodes { id shortName status primaryAddress { city } parent { id } }
  }
}"""


@pytest.fixture
def view_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Requests that went through Strawberry's HTTP request handling (`run`)."""
    runs: list[str] = []
    original = GraphQLView.run

    async def counting(self: GraphQLView, request: Any, *args: Any, **kwargs: Any) -> Any:
        runs.append(request.method)
        return await original(self, request, *args, **kwargs)

    monkeypatch.setattr(GraphQLView, "run", counting)
    return runs


@pytest.fixture
def logged() -> Iterator[list[str]]:
    import logging

    lines: list[str] = []

    class Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Lines()
    access_log.addHandler(handler)
    try:
        yield lines
    finally:
        access_log.removeHandler(handler)


async def _customers(api: Api) -> None:
    token = api.token(api.world.distributor, "ADMIN")
    for n, reseller in enumerate(
        [api.world.reseller, api.world.reseller, api.world.other_reseller]
    ):
        created = await api.gql(
            CREATE, {"input": {**numbered(n), "resellerId": reseller}}, token=token
        )
        assert created.data["createCustomer"]["errors"] == []


async def _send(api: Api, token: str | None, variables: object) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"query": LIST, "variables": variables, "operationName": "Tab"}
    return await api.client.post("/graphql", json=body, headers=headers)


async def test_the_second_request_skips_the_pipeline_and_answers_the_same(
    api: Api, pipeline_runs: list[str | None], view_runs: list[str], logged: list[str]
) -> None:
    await _customers(api)
    token = api.token(api.world.distributor, "VIEWER")
    pipeline_runs.clear()
    view_runs.clear()
    first = await _send(api, token, {"status": "PENDING_APPROVAL"})
    second = await _send(api, token, {"status": "PENDING_APPROVAL"})
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert (
        second.headers["x-request-id"]
        and second.headers["x-request-id"] != first.headers["x-request-id"]
    )
    assert view_runs == ["POST"]  # the second skipped Strawberry's request handling too
    # GET takes the prepared read inside the request handling.
    got = await api.client.get(
        "/graphql",
        params={
            "query": LIST,
            "operationName": "Tab",
            "variables": json.dumps({"status": "PENDING_APPROVAL"}),
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert got.status_code == 200 and got.json() == first.json()
    assert view_runs == ["POST", "GET"]
    assert first.json()["data"]["organizations"]["totalCount"] == 3
    assert second.headers["content-type"] == first.headers["content-type"]
    assert pipeline_runs == [LIST]  # the first only
    # The access log names the operation every time.
    records = [json.loads(line) for line in logged[-3:]]
    assert [(r["operation"], r["operation_type"], r["outcome"]) for r in records] == [
        ("Tab", "query", "ok")
    ] * 3


async def test_who_asks_and_the_variables_are_read_again(
    api: Api, pipeline_runs: list[str | None]
) -> None:
    await _customers(api)
    distributor = api.token(api.world.distributor, "VIEWER")
    reseller = api.token(api.world.reseller, "VIEWER")
    assert (await _send(api, distributor, {"status": "PENDING_APPROVAL"})).status_code == 200
    pipeline_runs.clear()
    mine = (await _send(api, reseller, {"status": "PENDING_APPROVAL"})).json()
    assert mine["data"]["organizations"]["totalCount"] == 2  # the reseller's own two
    none = (await _send(api, reseller, {"status": "ACTIVE"})).json()
    # ACTIVE, seen by the reseller: itself and its distributor, not the other reseller.
    active = {n["id"] for n in none["data"]["organizations"]["nodes"]}
    assert active == {api.world.reseller, api.world.distributor}
    assert pipeline_runs == []
    # Anything the prepared read cannot answer runs the pipeline, with its own answer.
    anonymous = (await _send(api, None, {"status": "ACTIVE"})).json()
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    wrong = (await _send(api, reseller, {"status": "SLEEPING"})).json()
    assert "errors" in wrong and "data" not in wrong
    too_many = (await _send(api, reseller, {"status": "ACTIVE", "names": ["x"] * 5000})).json()
    assert too_many["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert (await _send(api, reseller, {"status": "ACTIVE", "names": ["a\x00"]})).json()["errors"][
        0
    ]["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(pipeline_runs) == 4


@pytest.mark.parametrize("off", ["compiled_reads", "prepared_operations"])
async def test_a_switched_off_compiled_path_or_prepared_operations_prepare_nothing(
    api_factory: Any, pipeline_runs: list[str | None], off: str
) -> None:
    async with api_factory(**{off: False}) as api:
        token = api.token(api.world.distributor, "VIEWER")
        for _ in range(2):
            answered = (await _send(api, token, {"status": "ACTIVE"})).json()
            assert answered["data"]["organizations"]["totalCount"] == 3  # the world
    assert pipeline_runs == [LIST, LIST]
