"""The organization switcher: viewer.organizations lists what a person may switch into, and
X-Organization-ID acts in one of them exactly as that organization's own token would."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api import Api
from tests.builders import SECOND, customer_input
from tests.queries import CREATE

SWITCHABLE = """
query($search: String, $kind: OrganizationKind, $first: Int, $after: String) {
  viewer {
    organization { id } tokenOrganization { id }
    organizations(search: $search, kind: $kind, first: $first, after: $after) {
      totalCount nodes { id kind shortName } pageInfo { hasNextPage endCursor }
    }
  }
}
"""
LIST = "{ organizations { totalCount nodes { id } countsByStatus { status count } } }"
MISSING = "T3JnYW5pemF0aW9uOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA"


async def _post(
    api: Api, query: str, variables: dict[str, Any] | None, token: str, org: str | None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    if org is not None:
        headers["X-Organization-ID"] = org
    return await api.client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


async def _gql(
    api: Api, query: str, variables: dict[str, Any] | None = None, *, token: str, org: str | None
) -> dict[str, Any]:
    response = await _post(api, query, variables, token, org)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def _create(api: Api, reseller: str, base: dict[str, Any] | None = None) -> str:
    created = await api.gql(CREATE, {"input": customer_input(base)}, token=api.token(reseller))
    return created.data["createCustomer"]["customer"]["id"]


async def test_the_switcher_lists_the_subtree_without_ancestors(api: Api) -> None:
    w = api.world
    mine = await _create(api, w.reseller)
    theirs = await _create(api, w.other_reseller, SECOND)
    reseller = await _gql(api, SWITCHABLE, token=api.token(w.reseller, "VIEWER"), org=None)
    listed = reseller["viewer"]["organizations"]
    assert {n["id"] for n in listed["nodes"]} == {w.reseller, mine}
    assert listed["totalCount"] == 2
    assert reseller["viewer"]["organization"] == reseller["viewer"]["tokenOrganization"]
    distributor = api.token(w.distributor, "VIEWER")
    everything = await _gql(api, SWITCHABLE, token=distributor, org=None)
    ids = {n["id"] for n in everything["viewer"]["organizations"]["nodes"]}
    assert ids == {w.distributor, w.reseller, w.other_reseller, mine, theirs}
    resellers = await _gql(api, SWITCHABLE, {"kind": "RESELLER"}, token=distributor, org=None)
    assert {n["kind"] for n in resellers["viewer"]["organizations"]["nodes"]} == {"RESELLER"}
    found = await _gql(api, SWITCHABLE, {"search": "bol"}, token=distributor, org=None)
    assert [n["id"] for n in found["viewer"]["organizations"]["nodes"]] == [theirs]
    page = await _gql(api, SWITCHABLE, {"first": 2}, token=distributor, org=None)
    first = page["viewer"]["organizations"]
    assert len(first["nodes"]) == 2 and first["pageInfo"]["hasNextPage"]
    rest = await _gql(
        api, SWITCHABLE, {"after": first["pageInfo"]["endCursor"]}, token=distributor, org=None
    )
    seen = [n["id"] for n in first["nodes"] + rest["viewer"]["organizations"]["nodes"]]
    assert sorted(seen) == sorted(ids)


async def test_acting_in_a_reseller_is_scoped_like_its_own_token(api: Api) -> None:
    w = api.world
    mine = await _create(api, w.reseller)
    await _create(api, w.other_reseller, SECOND)
    distributor = api.token(w.distributor, "ADMIN", sub="dora")
    own = await _gql(api, LIST, token=api.token(w.reseller), org=None)
    acting = await _gql(api, LIST, token=distributor, org=w.reseller)
    assert acting == own
    assert {n["id"] for n in acting["organizations"]["nodes"]} == {w.distributor, w.reseller, mine}
    viewer = await _gql(api, SWITCHABLE, token=distributor, org=w.reseller)
    assert viewer["viewer"]["organization"] == {"id": w.reseller}
    assert viewer["viewer"]["tokenOrganization"] == {"id": w.distributor}
    # The switcher still lists what the person may switch into, not what the reseller sees.
    assert viewer["viewer"]["organizations"]["totalCount"] == 5
    # A reseller selected by a distributor user creates under itself, no resellerId needed.
    created = await _gql(
        api,
        CREATE,
        {
            "input": customer_input(
                erpId="77", taxId="NL810433941B01", registrationNumber="30190260"
            )
        },
        token=distributor,
        org=w.reseller,
    )
    customer = created["createCustomer"]["customer"]
    assert customer["parent"]["id"] == w.reseller
    foreign = await _gql(
        api,
        "query($id: ID!) { organization(id: $id) { id } }",
        {"id": mine},
        token=distributor,
        org=w.other_reseller,
    )
    assert foreign["organization"] is None


async def test_idempotency_keys_are_scoped_to_the_acting_organization(api: Api) -> None:
    w = api.world
    form = customer_input(idempotencyKey="same-key")
    first = await _gql(api, CREATE, {"input": form}, token=api.token(w.reseller), org=None)
    again = await _gql(api, CREATE, {"input": form}, token=api.token(w.distributor), org=w.reseller)
    assert again["createCustomer"]["replayed"] is True
    assert again["createCustomer"]["customer"]["id"] == first["createCustomer"]["customer"]["id"]


async def test_outside_the_subtree_is_403_whatever_exists(api: Api) -> None:
    w = api.world
    customer = await _create(api, w.other_reseller)
    token = api.token(w.reseller, "ADMIN")
    answers = []
    for org in [w.other_reseller, customer, w.distributor, MISSING, "nonsense", ""]:
        response = await _post(api, LIST, None, token, org)
        answers.append((response.status_code, response.json()))
    assert answers[0][0] == 403
    assert answers[0][1]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "data" not in answers[0][1]
    assert all(answer == answers[0] for answer in answers), answers
    # Mutations too: nothing is written through a refused header.
    refused = await _post(api, CREATE, {"input": customer_input()}, token, w.other_reseller)
    assert refused.status_code == 403
    counts = await _gql(api, LIST, token=api.token(w.distributor), org=None)
    assert counts["organizations"]["totalCount"] == 4


async def test_a_customer_user_may_select_only_itself(api: Api) -> None:
    w = api.world
    customer = await _create(api, w.reseller)
    token = api.token(customer, "VIEWER")
    itself = await _gql(api, SWITCHABLE, token=token, org=customer)
    assert [n["id"] for n in itself["viewer"]["organizations"]["nodes"]] == [customer]
    assert (await _post(api, LIST, None, token, w.reseller)).status_code == 403
