"""Generated operations against the app, signed in: no 500, no unmasked exception, no bug.

hypothesis-graphql builds queries and mutations from the printed schema, valid ones and
deliberately invalid ones (wrong types, missing arguments); a second strategy throws arbitrary
JSON at createCustomer's variables (huge strings, odd Unicode, NUL, wrong types, nulls in
lists). Every answer must be a GraphQL response whose errors a client can read: a masked
INTERNAL_SERVER_ERROR means an exception escaped, which is a bug here.

Examples are derandomized, so CI is repeatable; PORTAL_FUZZ_EXAMPLES runs more of them.
"""

from __future__ import annotations

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
