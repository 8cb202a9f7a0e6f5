"""Limits on one request: each refusal names the limit, its setting and its value."""

from __future__ import annotations

import pytest

from tests.api import Api
from tests.conftest import ApiFactory


def _limit(body: dict[str, object]) -> dict[str, object]:
    errors = body["errors"]
    assert isinstance(errors, list) and errors, body
    extensions = errors[0]["extensions"]
    assert extensions["code"] == "LIMIT_EXCEEDED", body
    return {"limit": extensions["limit"], "max": extensions["max"], "message": errors[0]["message"]}


def _nested(depth: int) -> str:
    """`{ viewer { organization { parent { ... { id } } } } }`, `depth` fields deep."""
    inner = "id"
    for _ in range(depth - 3):
        inner = f"parent {{ {inner} }}"
    return f"{{ viewer {{ organization {{ {inner} }} }} }}"


async def test_depth_limit_default_is_ten(api: Api) -> None:
    token = api.token(api.world.reseller)
    allowed = await api.post(_nested(10), token=token)
    assert allowed.status_code == 200 and "errors" not in allowed.json(), allowed.text
    refused = await api.post(_nested(11), token=token)
    limit = _limit(refused.json())
    assert limit["limit"] == "maxQueryDepth" and limit["max"] == 10
    assert "11" in str(limit["message"]) and "PORTAL_MAX_QUERY_DEPTH" in str(limit["message"])
    assert "data" not in refused.json()


async def test_depth_counts_through_fragments(api: Api) -> None:
    query = (
        "query { viewer { ...V } } fragment V on Viewer { organization { ...O } } "
        "fragment O on Organization { parent { parent { parent { parent { parent { parent "
        "{ parent { parent { parent { id } } } } } } } } } }"
    )
    limit = _limit((await api.post(query, token=api.token(api.world.reseller))).json())
    assert limit["limit"] == "maxQueryDepth"


async def test_a_fragment_counts_at_its_deepest_spread(api: Api) -> None:
    """A fragment's depth is measured once and added where each spread sits."""
    fragment = (
        "fragment P on Organization { parent { parent { parent { parent { parent { id } } } } } }"
    )
    shallow = "{ viewer { organization { ...P parent { ...P } } } } " + fragment  # 3 + 6
    deep = "{ viewer { organization { ...P parent { parent { parent { ...P } } } } } } " + fragment
    token = api.token(api.world.reseller)
    assert "errors" not in (await api.post(shallow, token=token)).json()
    limit = _limit((await api.post(deep, token=token)).json())
    assert limit["limit"] == "maxQueryDepth" and "11" in str(limit["message"])


async def test_introspection_is_not_counted_as_depth(api: Api) -> None:
    query = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }"  # noqa: E501
    result = await api.gql(query)
    assert result.data["__schema"]["types"]


async def test_alias_limit(api: Api) -> None:
    fields = " ".join(f"a{i}: __typename" for i in range(16))
    limit = _limit((await api.post(f"{{ {fields} }}")).json())
    assert limit["limit"] == "maxAliases" and limit["max"] == 15
    assert "16" in str(limit["message"]) and "PORTAL_MAX_ALIASES" in str(limit["message"])
    fine = " ".join(f"a{i}: __typename" for i in range(15))
    assert (await api.gql(f"{{ {fine} }}")).data["a14"] == "Query"


async def test_directive_limit(api: Api) -> None:
    directives = " ".join("@include(if: true)" for _ in range(51))
    limit = _limit((await api.post(f"{{ __typename {directives} }}")).json())
    assert limit["limit"] == "maxDirectives" and limit["max"] == 50
    assert "PORTAL_MAX_DIRECTIVES" in str(limit["message"])


async def test_token_limit(api: Api) -> None:
    query = "{ " + " ".join("__typename" for _ in range(2001)) + " }"
    response = await api.post(query)
    limit = _limit(response.json())
    assert limit["limit"] == "maxTokens" and limit["max"] == 2000
    assert "2000" in str(limit["message"]) and "PORTAL_MAX_TOKENS" in str(limit["message"])


async def test_body_limit_answers_413(api: Api) -> None:
    padding = "#" + "x" * (1024 * 1024) + "\n"
    response = await api.client.post(
        "/graphql",
        content=f'{{"query": "{padding[:-1]}"}}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    body = response.json()
    assert body["errors"][0]["extensions"] == {
        "code": "LIMIT_EXCEEDED",
        "limit": "maxBodyBytes",
        "max": 1048576,
    }
    assert "PORTAL_MAX_BODY_BYTES" in body["errors"][0]["message"]


async def test_body_limit_holds_for_streamed_bodies(api: Api) -> None:
    async def chunks():  # no Content-Length: the client streams
        for _ in range(20):
            yield b"x" * 65536

    response = await api.client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_limits_are_configurable(api_factory: ApiFactory) -> None:
    async with api_factory(
        max_aliases=1, max_query_depth=2, max_tokens=50, max_directives=1, max_body_bytes=900
    ) as api:
        assert _limit((await api.post("{ a: __typename b: __typename }")).json())["max"] == 1
        deep = "{ viewer { organization { id } } }"
        assert _limit((await api.post(deep)).json())["limit"] == "maxQueryDepth"
        many = "{ " + "__typename " * 60 + "}"
        assert _limit((await api.post(many)).json())["max"] == 50
        two = "{ __typename @skip(if: false) @include(if: true) }"
        assert _limit((await api.post(two)).json())["limit"] == "maxDirectives"
        big = await api.post("{ __typename }" + " " * 1000)
        assert big.status_code == 413


async def test_page_size_is_clamped_to_the_maximum(api_factory: ApiFactory) -> None:
    async with api_factory(max_page_size=1) as api:
        token = api.token(api.world.distributor)
        query = "{ organizations(paging: {limit: 1000}) { nodes { id } } }"
        nodes = (await api.gql(query, token=token)).data["organizations"]["nodes"]
        assert len(nodes) == 1


async def test_batching_is_off(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}]
    )
    assert response.status_code == 400
    assert "batching" in response.json()["errors"][0]["message"].lower()


async def test_operation_time_limit(api_factory: ApiFactory) -> None:
    async with api_factory(operation_timeout_seconds=1e-6) as api:
        token = api.token(api.world.distributor)
        response = await api.post("{ organizations { totalCount } }", token=token)
        assert response.status_code == 503
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "OPERATION_TIMEOUT"
        assert error["extensions"]["limit"] == "operationTimeoutSeconds"
        assert "PORTAL_OPERATION_TIMEOUT_SECONDS" in error["message"]


@pytest.mark.parametrize(
    "name",
    [
        "max_query_depth",
        "max_aliases",
        "max_tokens",
        "max_directives",
        "max_body_bytes",
        "max_merge_checks_per_token",
        "max_header_bytes",
        "max_filter_depth",
        "max_filter_conditions",
        "max_filter_list_values",
        "max_filter_text_length",
        "header_timeout_seconds",
        "body_timeout_seconds",
    ],
)
def test_limit_settings_come_from_the_environment(name: str) -> None:
    from settings import Settings, SettingsError

    variable = "PORTAL_" + name.upper()
    assert getattr(Settings.from_env({variable: "7"}), name) == 7
    with pytest.raises(SettingsError, match=variable):
        Settings.from_env({variable: "0"})


FILTERED = "query($f: OrganizationFilter) { organizations(filter: $f) { totalCount } }"


def _branches(n: int) -> dict[str, object]:
    return {"or": [{"shortName": {"eq": f"x{i}"}} for i in range(n)]}


def _deep_filter(levels: int) -> dict[str, object]:
    value: dict[str, object] = {"shortName": {"eq": "x"}}
    for _ in range(levels - 1):
        value = {"and": [value]}
    return value


@pytest.mark.parametrize(
    ("value", "limit", "max"),
    [
        (_branches(101), "maxFilterConditions", 100),
        (_deep_filter(6), "maxFilterDepth", 5),
        ({"id": {"in": ["T3JnOng"] * 1001}}, "maxFilterListValues", 1000),
        ({"shortName": {"notIn": ["a"] * 40_000}}, "maxFilterListValues", 1000),
        ({"search": "a" * 1001}, "maxFilterTextLength", 1000),
        ({"or": [{"fullName": {"iLike": "%" + "b" * 50_000 + "%"}}]}, "maxFilterTextLength", 1000),
    ],
)
async def test_filter_limits(api: Api, value: dict[str, object], limit: str, max: int) -> None:
    response = await api.post(FILTERED, {"f": value}, token=api.token(api.world.distributor))
    found = _limit(response.json())
    assert (found["limit"], found["max"]) == (limit, max), found
    assert "PORTAL_MAX_FILTER_" in str(found["message"])
    assert "data" not in response.json()


async def test_filters_at_the_limits_run(api: Api) -> None:
    token = api.token(api.world.distributor)
    for value in (
        _branches(100),
        _deep_filter(5),
        {"shortName": {"in": ["Copaco"] * 1000}},
        {"search": "a" * 1000},
    ):
        result = await api.gql(FILTERED, {"f": value}, token=token)
        assert result.data["organizations"]["totalCount"] == 0


async def test_filter_limits_see_literals_and_variables_inside_them(api: Api) -> None:
    token = api.token(api.world.distributor)
    branches = " ".join(f'{{shortName: {{eq: "x{i}"}}}}' for i in range(101))
    literal = f"{{ organizations(filter: {{or: [{branches}]}}) {{ totalCount }} }}"
    assert _limit((await api.post(literal, token=token)).json())["limit"] == "maxFilterConditions"
    mixed = (
        "query($b: [OrganizationFilter!], $names: [String!]) { organizations(filter: "
        "{and: [{or: $b}, {shortName: {in: $names}}]}) { totalCount } }"
    )
    wide = {"b": _branches(101)["or"], "names": []}
    assert _limit((await api.post(mixed, wide, token=token)).json())["limit"] == (
        "maxFilterConditions"
    )
    long = {"b": [], "names": ["n"] * 1001}
    assert _limit((await api.post(mixed, long, token=token)).json())["limit"] == (
        "maxFilterListValues"
    )
    deep = {"b": [_deep_filter(5)], "names": []}  # 2 levels above it: 6 in all
    assert _limit((await api.post(mixed, deep, token=token)).json())["limit"] == "maxFilterDepth"


async def test_filter_limits_are_configurable(api_factory: ApiFactory) -> None:
    async with api_factory(
        max_filter_depth=1,
        max_filter_conditions=2,
        max_filter_list_values=2,
        max_filter_text_length=2,
    ) as api:
        token = api.token(api.world.distributor)

        async def refused(value: dict[str, object]) -> object:
            return _limit((await api.post(FILTERED, {"f": value}, token=token)).json())["limit"]

        assert await refused(_deep_filter(2)) == "maxFilterDepth"
        assert await refused({"shortName": {"eq": "a", "neq": "b", "like": "c"}}) == (
            "maxFilterConditions"
        )
        assert await refused({"erpId": {"in": ["a", "b", "c"]}}) == "maxFilterListValues"
        assert await refused({"search": "abc"}) == "maxFilterTextLength"
