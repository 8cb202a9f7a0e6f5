"""GraphQL over HTTP: media types, status codes, JSON-only POST, GET without mutations, CORS and
production mode. The graphql-http audit (test_graphql_http_audit.py) checks the spec as a whole;
these pin the behaviour the audit cannot see."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pytest
import strawberry

from graph.core.errors import ErrorPolicy
from settings import Settings, SettingsError
from tests.api import Api
from tests.conftest import ApiFactory

GRAPHQL_RESPONSE = "application/graphql-response+json"
MUTATION = 'mutation { approveCustomer(input: {id: "x"}) { errors { code } } }'


async def _post(api: Api, query: str, accept: str | None) -> tuple[int, str, dict[str, object]]:
    headers = {"accept": accept} if accept else {}
    response = await api.client.post("/graphql", json={"query": query}, headers=headers)
    return response.status_code, response.headers["content-type"], response.json()


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
        (None, "application/json"),
        (f"application/json;q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.1, application/json", "application/json"),
    ],
)
async def test_the_response_media_type_follows_accept(
    api: Api, accept: str | None, media: str
) -> None:
    status, content_type, body = await _post(api, "{ __typename }", accept)
    assert status == 200 and body == {"data": {"__typename": "Query"}}
    assert content_type == f"{media}; charset=utf-8"


@pytest.mark.parametrize("query", ["{", "{ noSuchField }", "query($id: ID!) { __typename }"])
async def test_request_errors_have_no_data_and_400_under_graphql_response_json(
    api: Api, query: str
) -> None:
    status, _, body = await _post(api, query, GRAPHQL_RESPONSE)
    assert status == 400 and "data" not in body and body["errors"]
    status, _, body = await _post(api, query, "application/json")
    assert status == 200 and "data" not in body and body["errors"]


async def test_field_errors_keep_data_and_200(api: Api) -> None:
    status, _, body = await _post(api, "{ organizations { totalCount } }", GRAPHQL_RESPONSE)
    assert status == 200 and body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
async def test_post_accepts_only_json(api: Api, content_type: str | None) -> None:
    """What an HTML form of another site can send is refused: multipart (file uploads) is
    taken only with an Authorization header, which no cross-site form can add."""
    headers = {"content-type": content_type} if content_type else {}
    response = await api.client.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers=headers
    )
    multipart = (content_type or "").startswith("multipart/")
    assert response.status_code == (401 if multipart else 415)
    code = "UNAUTHENTICATED" if multipart else "UNSUPPORTED_MEDIA_TYPE"
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_bad_json_and_bad_parameters_answer_400_with_json(api: Api) -> None:
    for body in [b'{"query": ', b"", b'{"query": 1}', b'{"query": "{ a }", "variables": "x"}']:
        response = await api.client.post(
            "/graphql", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, body
        assert response.json()["errors"][0]["message"]


async def test_get_runs_queries_but_never_mutations(api: Api) -> None:
    token = api.token(api.world.reseller)
    headers = {"Authorization": f"Bearer {token}", "accept": "application/json"}
    ok = await api.client.get("/graphql", params={"query": "{ __typename }"}, headers=headers)
    assert ok.status_code == 200 and ok.json() == {"data": {"__typename": "Query"}}
    refused = await api.client.get("/graphql", params={"query": MUTATION}, headers=headers)
    assert refused.status_code == 405 and refused.headers["allow"] == "POST"
    assert refused.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_other_methods_are_refused(api: Api) -> None:
    for method in ["PUT", "DELETE", "PATCH"]:
        response = await api.client.request(method, "/graphql")
        assert response.status_code == 405


async def test_no_cors_headers_without_an_allow_list(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in response.headers


async def test_cors_allows_listed_origins_only(api_factory: ApiFactory) -> None:
    async with api_factory(cors_origins=("https://admin.example",)) as api:
        preflight = await api.client.options(
            "/graphql",
            headers={
                "origin": "https://admin.example",
                "access-control-request-method": "POST",
                "access-control-request-headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://admin.example"
        assert "access-control-allow-credentials" not in preflight.headers
        listed = await api.client.post(
            "/graphql",
            json={"query": "{ __typename }"},
            headers={"origin": "https://admin.example"},
        )
        assert listed.headers["access-control-allow-origin"] == "https://admin.example"
        assert "x-request-id" in listed.headers["access-control-expose-headers"].lower()
        other = await api.client.options(
            "/graphql",
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )
        assert other.status_code == 400
        assert "access-control-allow-origin" not in other.headers


def test_cors_settings_refuse_a_wildcard_with_credentials() -> None:
    env = {"PORTAL_CORS_ORIGINS": "*", "PORTAL_CORS_ALLOW_CREDENTIALS": "true"}
    with pytest.raises(SettingsError, match="PORTAL_CORS_ORIGINS"):
        Settings.from_env(env)
    listed = Settings.from_env({**env, "PORTAL_CORS_ORIGINS": "https://a.example/, https://b"})
    assert listed.cors_origins == ("https://a.example", "https://b")
    assert listed.cors_allow_credentials


def test_production_switches_everything_off_by_default() -> None:
    production = Settings.from_env({"PORTAL_ENV": "production"})
    assert not production.graphiql and not production.introspection
    assert production.mask_errors and not production.field_suggestions
    development = Settings.from_env({})
    assert development.graphiql and development.introspection
    assert not development.mask_errors and development.field_suggestions


async def test_production_mode_over_http(api_factory: ApiFactory) -> None:
    production = Settings.from_env({"PORTAL_ENV": "production"})
    async with api_factory(
        environment="production",
        graphiql=production.graphiql,
        introspection=production.introspection,
        mask_errors=production.mask_errors,
        field_suggestions=production.field_suggestions,
    ) as api:
        page = await api.client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 404 and "graphiql" not in page.text.lower()
        schema = await api.post("{ __schema { queryType { name } } }")
        assert "introspection" in schema.json()["errors"][0]["message"].lower()
        typo = (await api.post("{ viewr { subject } }")).json()
        assert "Did you mean" not in typo["errors"][0]["message"]
        assert "viewr" in typo["errors"][0]["message"]
        # Client-actionable errors stay readable.
        anonymous = (await api.post("{ organizations { totalCount } }")).json()
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert "token" in anonymous["errors"][0]["message"]
        token = api.token(api.world.reseller)
        paging = await api.post('{ organizations(after: "!") { totalCount } }', token=token)
        assert paging.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_development_keeps_suggestions(api: Api) -> None:
    typo = (await api.post("{ viewr { subject } }")).json()
    assert "Did you mean" in typo["errors"][0]["message"]


# The masking policy, on a schema of its own whose resolvers fail on purpose.


class Secret(Exception):
    pass


@strawberry.type
class Failing:
    @strawberry.field
    def bug(self) -> str:
        raise Secret("SELECT * FROM contact -- at /srv/portal")

    @strawberry.field
    def refused(self) -> str:
        from graphql import GraphQLError

        raise GraphQLError("Lookup failed in table contact.", extensions={"code": "DB"})

    @strawberry.field
    def forbidden(self) -> str:
        from graphql import GraphQLError

        raise GraphQLError("Your roles do not allow this.", extensions={"code": "FORBIDDEN"})


@dataclass
class FakeContext:
    settings: Settings = field(default_factory=Settings)
    request_id: str = "req-42"


FAILING = strawberry.Schema(query=Failing, extensions=[ErrorPolicy])


@pytest.mark.parametrize("mask_errors", [False, True])
async def test_unexpected_errors_are_masked_and_logged_with_the_request_id(
    mask_errors: bool, caplog: pytest.LogCaptureFixture
) -> None:
    context = FakeContext(Settings(mask_errors=mask_errors))
    with caplog.at_level(logging.ERROR, logger="portal.errors"):
        result = await FAILING.execute("{ bug }", context_value=context)
    assert result.errors
    error = result.errors[0].formatted
    assert "SELECT" not in str(error) and "req-42" in error["message"]
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-42"}
    logged = [r for r in caplog.records if r.name == "portal.errors"]
    assert logged and "req-42" in logged[0].getMessage()
    # The type and where it was raised, not the message: messages can quote input.
    assert "Secret" in logged[0].getMessage() and "in bug" in logged[0].getMessage()
    assert "SELECT" not in logged[0].getMessage() and not logged[0].exc_info


async def test_production_masks_our_own_errors_except_client_codes() -> None:
    production = FakeContext(Settings(mask_errors=True))
    refused = await FAILING.execute("{ refused }", context_value=production)
    assert refused.errors and "table" not in refused.errors[0].message
    forbidden = await FAILING.execute("{ forbidden }", context_value=production)
    assert forbidden.errors and forbidden.errors[0].message == "Your roles do not allow this."
    development = FakeContext(Settings(mask_errors=False))
    shown = await FAILING.execute("{ refused }", context_value=development)
    assert shown.errors and "table" in shown.errors[0].message


async def test_the_request_id_reaches_the_client(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"x-request-id": "abc-123"}
    )
    assert response.headers["x-request-id"] == "abc-123"
