"""Generated operations against the app, signed in: no 500, no unmasked exception, no bug.

hypothesis-graphql builds queries and mutations from the printed schema, valid ones and
deliberately invalid ones (wrong types, missing arguments); a second strategy throws arbitrary
JSON at createCustomer's variables (huge strings, odd Unicode, NUL, wrong types, nulls in
lists), and a third arbitrary, deep and wide filters, cursors and page sizes at the list.
Every answer must be a GraphQL response whose errors a client can read: a masked
INTERNAL_SERVER_ERROR means an exception escaped, which is a bug here.

Examples are derandomized, so CI is repeatable; PORTAL_FUZZ_EXAMPLES runs more of them.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC
from typing import Any

import hypothesis_graphql as hg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from graph.schema import print_schema
from tests.api import Api
from tests.builders import customer_input
from tests.queries import CREATE

SDL = print_schema()
EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "150"))
SCALARS = {
    "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat())),
    # A document cannot carry a file (only a multipart request can); whatever stands in its
    # place must still be refused cleanly.
    "Upload": st.text(max_size=20).map(nodes.String),
}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

operations = st.one_of(
    hg.queries(SDL, custom_scalars=SCALARS),
    hg.mutations(SDL, custom_scalars=SCALARS),
    hg.queries(SDL, custom_scalars=SCALARS, mode=hg.Mode.NEGATIVE),
    hg.mutations(SDL, custom_scalars=SCALARS, mode=hg.Mode.NEGATIVE),
)

odd_text = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.sampled_from(
        ["\x00", "\ud800", "\u202e", "🏃" * 3, "a\u0301", " ", "\n\t", "NL" + "9" * 40]
    ),
    # Huge strings, cheap to generate: one character repeated.
    st.builds(lambda c, n: c * n, st.characters(), st.integers(2000, 50_000)),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | odd_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(odd_text, inner, max_size=4),
    max_leaves=12,
)


FIELDS = ["id", "status", "kind", "parentId", "shortName", "fullName", "erpId", "taxId"]
OPERATORS = ["eq", "neq", "in", "notIn", "iLike", "notILike", "like", "notLike", "is", "isNot"]
comparisons = st.dictionaries(
    st.sampled_from(OPERATORS),
    st.one_of(json_values, st.lists(odd_text, max_size=5), st.just(None)),
    max_size=3,
)
leaf_filters = st.fixed_dictionaries(
    {},
    optional={
        **{field: comparisons for field in FIELDS},
        "search": odd_text,
        "createdAt": st.dictionaries(st.sampled_from(["lt", "gte", "between"]), json_values),
    },
)

# Repeated thousands of times below, so kept short (the body limit would refuse the rest).
short_text = st.one_of(st.text(max_size=12), st.sampled_from(["\x00", "\ud800", "ﬄ", "%_\\"]))
small_filters = st.fixed_dictionaries(
    {}, optional={"shortName": st.dictionaries(st.sampled_from(OPERATORS), short_text)}
)


def _nest(inner: dict[str, Any], levels: int, key: str) -> dict[str, Any]:
    for _ in range(levels):
        inner = {key: [inner]}
    return inner


# Deep (and/or nested up to 300 levels), wide (up to 3,000 branches, or long lists in one
# comparison) and arbitrary filters: each must be refused or answered, before any work.
filters = st.one_of(
    st.recursive(
        leaf_filters,
        lambda inner: st.dictionaries(
            st.sampled_from(["and", "or"]), st.lists(inner, max_size=3), min_size=1
        ),
        max_leaves=8,
    ),
    st.builds(_nest, leaf_filters, st.integers(1, 300), st.sampled_from(["and", "or"])),
    st.builds(
        lambda branch, n, key: {key: [branch] * n},
        small_filters,
        st.integers(0, 3_000),
        st.sampled_from(["and", "or"]),
    ),
    st.builds(
        lambda field, op, text, n: {field: {op: [text] * n}},
        st.sampled_from(FIELDS[4:]),
        st.sampled_from(["in", "notIn"]),
        short_text,
        st.integers(0, 5_000),
    ),
    json_values,
)
cursors = st.one_of(
    st.none(),
    odd_text,
    st.builds(
        lambda n: base64.urlsafe_b64encode(f"position:{n}".encode(errors="surrogatepass")).decode(),
        st.one_of(st.integers(-10, 10**30), odd_text),
    ),
)
LISTING = """query($f: OrganizationFilter, $after: String, $before: String, $first: Int,
  $last: Int) { organizations(filter: $f, after: $after, before: $before, first: $first,
  last: $last) { totalCount nodes { id } } }"""


@st.composite
def customer_variables(draw: st.DrawFn) -> dict[str, Any]:
    """The valid form with some fields, nested ones included, replaced by anything."""
    data = customer_input()
    for _ in range(draw(st.integers(1, 4))):
        target = data
        nested = data[draw(st.sampled_from(["primaryAddress", "primaryContact"]))]
        if isinstance(nested, dict) and draw(st.booleans()):
            target = nested
        key = draw(st.sampled_from([*target.keys(), "unknownField"]))
        target[key] = draw(json_values)
    return {"input": draw(st.one_of(st.just(data), json_values))}


UPDATE = """
mutation Update($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) {
    customer { id version shortName primaryAddress { country postalCode } }
    errors { field code message }
  }
}
"""


@st.composite
def update_variables(draw: st.DrawFn) -> dict[str, Any]:
    """Corrections: some of the form's fields (nested ones too) replaced by anything, plus a
    version that may be stale or absurd; `id` is filled in by the test."""
    form = customer_input()
    patch: dict[str, Any] = {"expectedVersion": draw(st.sampled_from([1, 1, 2, 0, -1, 2**31 - 1]))}
    for key in draw(st.lists(st.sampled_from([*form, "unknownField"]), max_size=4)):
        value = form.get(key)
        if isinstance(value, dict) and draw(st.booleans()):
            value = {**value, draw(st.sampled_from([*value, "x"])): draw(json_values)}
        else:
            value = draw(st.one_of(st.just(value), json_values))
        patch[key] = value
    return patch


def _check(status: int, text: str) -> None:
    assert status in {200, 400, 413}, text  # 413: over the body limit, also clear
    body = json.loads(text)
    errors = body.get("errors") or []
    for error in errors:
        assert error["message"], body
        code = (error.get("extensions") or {}).get("code")
        assert code != "INTERNAL_SERVER_ERROR", body
    assert "Traceback" not in text and "tortoise" not in text.lower()


@FUZZ
@given(document=operations)
async def test_generated_operations_never_fail_unexpectedly(api: Api, document: str) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    response = await api.post(document, token=token)
    _check(response.status_code, response.text)


@FUZZ
@given(
    filter=filters,
    after=cursors,
    before=cursors,
    first=st.one_of(st.none(), st.integers(-5, 500)),
    last=st.one_of(st.none(), st.integers(-5, 500)),
)
async def test_any_filter_and_paging_gets_a_clear_answer(
    api: Api, filter: Any, after: Any, before: Any, first: Any, last: Any
) -> None:
    token = api.token(api.world.distributor, "ADMIN")
    variables = {"f": filter, "after": after, "before": before, "first": first, "last": last}
    response = await api.client.post(
        "/graphql",
        content=json.dumps({"query": LISTING, "variables": variables}),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    _check(response.status_code, response.text)


@FUZZ
@given(variables=customer_variables())
async def test_any_customer_input_gets_a_clear_answer(api: Api, variables: dict[str, Any]) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    # Encoded here, ASCII-escaped: lone surrogates are valid JSON escapes that must be refused
    # by the server, not by the test client's encoder.
    response = await api.client.post(
        "/graphql",
        content=json.dumps({"query": CREATE, "variables": variables}),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    _check(response.status_code, response.text)


@FUZZ
@given(patch=update_variables())
async def test_any_correction_gets_a_clear_answer(api: Api, patch: dict[str, Any]) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    found = await api.gql(
        "{ organizations(filter: {kind: {eq: CUSTOMER}}, paging: {limit: 1}) { nodes { id } } }",
        token=token,
    )
    nodes = found.data["organizations"]["nodes"]
    if nodes:
        customer = nodes[0]["id"]
    else:
        created = await api.gql(CREATE, {"input": customer_input()}, token=token)
        customer = created.data["createCustomer"]["customer"]["id"]
    response = await api.client.post(
        "/graphql",
        content=json.dumps({"query": UPDATE, "variables": {"input": {**patch, "id": customer}}}),
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    _check(response.status_code, response.text)
