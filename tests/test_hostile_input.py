"""Inputs that once ended as INTERNAL_SERVER_ERROR, a non-JSON body or the wrong answer:
each gets a coded client error now, on SQLite and PostgreSQL, and no log line quotes them."""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator

import httpx
import pytest

from models import Organization, OrganizationKind
from resolvers import organizations
from settings import Settings
from tests.api import Api
from tests.builders import customer_input
from tests.conftest import ApiFactory
from tests.queries import CREATE

FILTERED = "query($f: OrganizationFilter) { organizations(filter: $f) { totalCount } }"
PAGED = (
    "query($after: String, $before: String, $first: Int, $last: Int) { organizations("
    "after: $after, before: $before, first: $first, last: $last) { totalCount } }"
)
PRODUCTION = Settings.from_env({"PORTAL_ENV": "production"})


@pytest.fixture
async def production(api_factory: ApiFactory) -> AsyncIterator[Api]:
    async with api_factory(
        environment="production",
        graphiql=False,
        introspection=False,
        mask_errors=PRODUCTION.mask_errors,
        field_suggestions=PRODUCTION.field_suggestions,
    ) as api:
        yield api


async def _raw(api: Api, body: bytes, token: str | None = None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await api.client.post("/graphql", content=body, headers=headers)


def _error(response: httpx.Response) -> dict[str, object]:
    assert response.headers["content-type"].startswith("application/json"), response.text
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    error: dict[str, object] = errors[0]
    assert (error.get("extensions") or {}).get("code") != "INTERNAL_SERVER_ERROR", error
    return error


@pytest.mark.parametrize(
    "value",
    [{"shortName": {"eq": "a\x00b"}}, {"search": "\x00"}, {"or": [{"erpId": {"in": ["\x00"]}}]}],
)
async def test_nul_in_a_filter_text_is_refused(api: Api, value: dict[str, object]) -> None:
    """PostgreSQL cannot take NUL in a text parameter: this was a masked 500."""
    token = api.token(api.world.distributor)
    error = _error(await api.post(FILTERED, {"f": value}, token=token))
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "NUL" in str(error["message"])


@pytest.mark.parametrize(
    "body",
    [
        # A lone surrogate in a variable: the driver could not encode it (a 500).
        rb'{"query": "query($f: OrganizationFilter) { organizations(filter: $f) '
        rb'{ totalCount } }", "variables": {"f": {"search": "\ud800"}}}',
        # ... in createCustomer's form, and in the document itself.
        b'{"query": "mutation($i: CreateCustomerInput!) { createCustomer(input: $i) '
        b'{ errors { code } } }", "variables": {"i": {"shortName": "\\udfff"}}}',
        rb'{"query": "{ organizations(filter: {search: \"\ud800\"}) { totalCount } }"}',
        # JSON nested 100,000 deep: the stock decoder's RecursionError.
        b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 100_000 + b"]" * 100_000,
        # Not UTF-8: a text/plain 500 with a traceback.
        b'{"query": "{ __typename \xff\xfe }"}',
        b"\xff" * 100,
    ],
    ids=["surrogate-variable", "surrogate-form", "surrogate-document", "deep", "latin1", "binary"],
)
async def test_bodies_no_server_can_read_get_a_400(api: Api, body: bytes) -> None:
    response = await _raw(api, body, token=api.token(api.world.distributor))
    assert response.status_code == 400, response.text
    error = _error(response)
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert str(error["message"]).startswith("The body is not valid JSON")


def _cursor(position: object) -> str:
    return base64.urlsafe_b64encode(f"position:{position}".encode()).decode()


@pytest.mark.parametrize(
    "variables",
    [
        {"after": _cursor(2**63)},
        {"before": _cursor(2**63), "last": 1},
        {"after": _cursor(2**31)},
        {"after": _cursor("9" * 5000)},
        {"after": _cursor("١٢")},  # Arabic-Indic digits: isdigit() says yes
    ],
)
async def test_cursors_past_any_list_are_refused(api: Api, variables: dict[str, object]) -> None:
    token = api.token(api.world.distributor)
    error = _error(await api.post(PAGED, variables, token=token))
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "cursor" in str(error["message"])


async def test_first_with_last_is_refused(api: Api) -> None:
    token = api.token(api.world.distributor)
    error = _error(await api.post(PAGED, {"first": 1, "last": 1}, token=token))
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "`first` or `last`" in str(error["message"])


async def test_a_number_that_grows_when_normalized_is_too_long(api: Api) -> None:
    """64 × "ﬄ" passed the 64-character check and became 192 characters under NFKC: SQLite
    stored it, PostgreSQL answered a 500 ("value too long")."""
    token = api.token(api.world.reseller)
    form = customer_input(
        registrationNumber="ﬄ" * 64,
        taxId="IE6388047V",
        address={"country": "IE", "city": "Dublin", "line1": "1 Main Street", "postalCode": None},
    )
    result = (await api.gql(CREATE, {"input": form}, token=token)).data["createCustomer"]
    assert result["customer"] is None
    assert {"field": ["registrationNumber"], "code": "TOO_LONG"} in [
        {"field": e["field"], "code": e["code"]} for e in result["errors"]
    ]
    assert await Organization.filter(kind=OrganizationKind.CUSTOMER).count() == 0


async def test_two_operations_need_an_operation_name(api: Api) -> None:
    document = "query A { a: __typename } query B { b: __typename }"
    response = await api.client.post("/graphql", json={"query": document})
    error = _error(response)
    assert "operationName" in str(error["message"])
    assert "data" not in response.json()
    named = await api.client.post("/graphql", json={"query": document, "operationName": "B"})
    assert named.json() == {"data": {"b": "Query"}}


@pytest.mark.parametrize(
    "sent", ["a b", "<script>", "x" * 65, "ünïcode", "id\twith-tab", "", "a;b", "'quoted'"]
)
async def test_unsafe_request_ids_are_replaced(api: Api, sent: str) -> None:
    response = await api.client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers=[(b"x-request-id", sent.encode("latin-1", "replace"))],
    )
    echoed = response.headers["x-request-id"]
    assert echoed != sent and len(echoed) == 32 and echoed.isalnum()


VARIABLES_ERRORS = [
    ({"f": {"nope": 1}}, "nope"),  # an unknown input field
    ({"f": {"status": {"eq": "NOPE"}}}, "NOPE"),  # a bad enum value
    ({"f": {"createdAt": {"lt": "yesterday"}}}, "DateTime"),  # a bad DateTime
    ({}, "provided"),  # a missing variable (the query below requires it)
]


@pytest.mark.parametrize(("variables", "said"), VARIABLES_ERRORS)
async def test_variables_errors_are_client_errors_in_production(
    production: Api, variables: dict[str, object], said: str
) -> None:
    token = production.token(production.world.distributor)
    query = FILTERED.replace("OrganizationFilter)", "OrganizationFilter!)")
    response = await production.post(query, variables, token=token)
    error = _error(response)
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "$f" in str(error["message"]) and said in str(error["message"])
    assert "data" not in response.json()


async def test_production_drops_hints_wherever_they_stand(production: Api) -> None:
    token = production.token(production.world.distributor)
    literal = '{ organizations(filter: {shortName: {lik: "x"}}) { totalCount } }'
    variable = {"f": {"shortName": {"lik": "x"}}}
    for response in (
        await production.post(literal, token=token),
        await production.post(FILTERED, variable, token=token),
    ):
        message = str(_error(response)["message"])
        assert "lik" in message and "Did you mean" not in message and "iLike" not in message
        assert "Found" in message  # what follows the hint stays


async def test_suggestions_still_help_in_development(api: Api) -> None:
    token = api.token(api.world.distributor)
    response = await api.post(FILTERED, {"f": {"shortName": {"lik": "x"}}}, token=token)
    assert "Did you mean" in str(_error(response)["message"])


async def test_logs_never_quote_input(
    api_factory: ApiFactory, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad form in production was masked and logged with the whole input, twice; and a
    real bug's log line quoted what the driver said about the value it choked on."""
    async with api_factory(
        environment="production",
        mask_errors=True,
        field_suggestions=False,
        compiled_reads=False,  # the bug planted below sits on the resolver path
    ) as production:
        await _a_bad_form_and_a_bug(production, caplog, monkeypatch)


async def _a_bad_form_and_a_bug(
    production: Api, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = production.token(production.world.reseller)
    form = customer_input(contact={"firstName": "Secretname", "email": "secret@example.org"})
    form["primaryContact"]["unknownField"] = "Secretvalue"

    async def broken(**_: object) -> int:
        raise ValueError("invalid input for query argument $1: 'Secretvalue'")

    with caplog.at_level(logging.INFO):
        response = await production.post(CREATE, {"input": form}, token=token)
        assert _error(response)["extensions"] == {"code": "BAD_USER_INPUT"}
        monkeypatch.setattr(organizations, "count_organizations", broken)
        masked = await production.post("{ organizations { totalCount } }", token=token)
    [error] = masked.json()["errors"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    logged = "\n".join(
        record.getMessage() + (str(record.exc_info) if record.exc_info else "")
        for record in caplog.records
    )
    assert error["extensions"]["requestId"] in logged  # the bug is logged, findable by ID
    assert "ValueError" in logged
    for secret in ("Secretname", "secret@example.org", "Secretvalue"):
        assert secret not in logged
