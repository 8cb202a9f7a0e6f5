"""Bearer tokens: anonymous callers get almost nothing; bad tokens are refused clearly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from tests.api import Api
from tests.conftest import TEST_KEY

VIEWER = "query { viewer { subject roles permissions organization { id kind } } }"


async def test_without_a_token_only_typename_viewer_and_introspection_work(api: Api) -> None:
    assert (await api.gql("{ __typename }")).data == {"__typename": "Query"}
    assert (await api.gql("{ viewer { subject } }")).data == {"viewer": None}
    schema = await api.gql("{ __schema { queryType { name } } }")
    assert schema.data["__schema"]["queryType"]["name"] == "Query"


@pytest.mark.parametrize(
    "query",
    [
        "{ organizations { totalCount } }",
        "{ currencies { code } }",
        "{ countries { code } }",
        '{ organization(id: "x") { id } }',
        '{ node(id: "x") { id } }',
        'mutation { approveCustomer(input: {id: "x"}) { errors { code } } }',
        'mutation { rejectCustomer(input: {id: "x", reason: "r"}) { errors { code } } }',
    ],
)
async def test_everything_else_answers_unauthenticated(api: Api, query: str) -> None:
    result = await api.gql(query)
    assert result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "Traceback" not in str(result)


async def test_viewer_reports_roles_and_permissions(api: Api) -> None:
    token = api.token(api.world.reseller, "ACCOUNT_MANAGER", sub="anna")
    viewer = (await api.gql(VIEWER, token=token)).data["viewer"]
    assert viewer == {
        "subject": "anna",
        "roles": ["ACCOUNT_MANAGER"],
        "permissions": ["CREATE_CUSTOMER", "READ", "UPDATE_CUSTOMER"],
        "organization": {"id": api.world.reseller, "kind": "RESELLER"},
    }


def _token(claims: dict[str, object], key: str = TEST_KEY) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


@pytest.mark.parametrize(
    "case",
    ["expired", "wrong-key", "no-org", "foreign-org", "not-bearer", "garbage", "alg-none"],
)
async def test_bad_tokens_are_refused_not_ignored(api: Api, case: str) -> None:
    exp = datetime.now(UTC) + timedelta(hours=1)
    good = {"sub": "x", "org": api.world.reseller, "roles": ["ADMIN"], "exp": exp}
    tokens = {
        "expired": _token({**good, "exp": datetime.now(UTC) - timedelta(hours=1)}),
        "wrong-key": _token(good, key="another-key-that-is-also-long-enough!!"),
        "no-org": _token({k: v for k, v in good.items() if k != "org"}),
        "foreign-org": _token(
            {**good, "org": "T3JnYW5pemF0aW9uOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA"}
        ),
        "garbage": "abc.def.ghi",
        "alg-none": jwt.encode(good, None, algorithm="none"),
    }
    header = "Basic abc" if case == "not-bearer" else f"Bearer {tokens[case]}"
    response = await api.client.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": header}
    )
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["data"] == {"viewer": None}


async def test_unknown_roles_grant_nothing(api: Api) -> None:
    exp = datetime.now(UTC) + timedelta(hours=1)
    token = _token({"sub": "x", "org": api.world.reseller, "roles": ["ROOT"], "exp": exp})
    result = await api.gql(VIEWER, token=token)
    viewer = result["data"]["viewer"]
    assert viewer["roles"] == [] and viewer["permissions"] == []
    # Not even the own organization: reading anything needs READ.
    assert viewer["organization"] is None
    assert result["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert result["errors"][0]["path"] == ["viewer", "organization"]


async def test_health_probes(api: Api) -> None:
    assert (await api.client.get("/healthz")).json() == {"status": "ok"}
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ok"}


async def test_graphiql_is_served_to_browsers_and_can_be_switched_off(api_factory: object) -> None:
    headers = {"Accept": "text/html"}
    async with api_factory() as api:  # type: ignore[operator]
        page = await api.client.get("/graphql", headers=headers)
        assert page.status_code == 200 and "graphiql" in page.text.lower()
    async with api_factory(graphiql=False) as api:  # type: ignore[operator]
        page = await api.client.get("/graphql", headers=headers)
        assert "graphiql" not in page.text.lower()


async def test_introspection_can_be_switched_off(api_factory: object) -> None:
    async with api_factory(introspection=False) as api:  # type: ignore[operator]
        result = await api.gql("{ __schema { queryType { name } } }")
        assert "introspection" in result["errors"][0]["message"].lower()


async def test_mutations_are_refused_over_get(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    response = await api.client.get(
        "/graphql",
        params={"query": 'mutation { approveCustomer(input: {id: "x"}) { errors { code } } }'},
        headers={"Authorization": f"Bearer {token}"},
    )
    # graphql-over-http: a mutation over GET is 405 Method Not Allowed, naming the method to use.
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
