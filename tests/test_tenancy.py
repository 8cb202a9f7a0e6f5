"""Who sees what: resellers see their own tree, the distributor sees all, strangers see nothing."""

from __future__ import annotations

from tests.api import Api
from tests.builders import customer_input
from tests.queries import CREATE, ORGANIZATION

NODE = "query N($id: ID!) { node(id: $id) { id __typename ... on Organization { shortName } } }"
NODES = "query N($ids: [ID!]!) { nodes(ids: $ids) { id } }"
NAMES = "query { organizations { totalCount nodes { shortName kind } } }"


async def _customer(api: Api, reseller: str) -> str:
    token = api.token(reseller, "ADMIN")
    result = await api.gql(CREATE, {"input": customer_input()}, token=token)
    return result.data["createCustomer"]["customer"]["id"]


async def test_each_reseller_sees_only_its_own_tree(api: Api) -> None:
    mine = await _customer(api, api.world.reseller)
    theirs = await _customer(api, api.world.other_reseller)
    token = api.token(api.world.reseller, "VIEWER")
    listed = (await api.gql(NAMES, token=token)).data["organizations"]
    assert sorted((n["kind"], n["shortName"]) for n in listed["nodes"]) == [
        ("CUSTOMER", "Copaco"),
        ("DISTRIBUTOR", "Demo Distributor"),
        ("RESELLER", "Contoso Reseller"),
    ]
    assert listed["totalCount"] == 3
    assert (await api.gql(ORGANIZATION, {"id": mine}, token=token)).data["organization"]
    assert (await api.gql(ORGANIZATION, {"id": theirs}, token=token)).data["organization"] is None
    assert (await api.gql(NODE, {"id": theirs}, token=token)).data["node"] is None
    nodes = (await api.gql(NODES, {"ids": [mine, theirs, "junk"]}, token=token)).data["nodes"]
    assert nodes == [{"id": mine}, None, None]


async def test_distributor_sees_everything(api: Api) -> None:
    await _customer(api, api.world.reseller)
    await _customer(api, api.world.other_reseller)
    token = api.token(api.world.distributor, "VIEWER")
    listed = (await api.gql(NAMES, token=token)).data["organizations"]
    assert listed["totalCount"] == 5


async def test_customer_users_see_themselves_and_their_ancestors(api: Api) -> None:
    mine = await _customer(api, api.world.reseller)
    await _customer(api, api.world.other_reseller)
    token = api.token(mine, "VIEWER")
    listed = (await api.gql(NAMES, token=token)).data["organizations"]
    assert sorted(n["kind"] for n in listed["nodes"]) == ["CUSTOMER", "DISTRIBUTOR", "RESELLER"]


async def test_a_hidden_organization_answers_like_a_missing_one(api: Api) -> None:
    theirs = await _customer(api, api.world.other_reseller)
    token = api.token(api.world.reseller, "ADMIN")
    missing = "T3JnYW5pemF0aW9uOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA"
    hidden = await api.gql(ORGANIZATION, {"id": theirs}, token=token)
    absent = await api.gql(ORGANIZATION, {"id": missing}, token=token)
    assert hidden == absent == {"data": {"organization": None}}


async def test_node_resolves_organizations_and_status_changes(api: Api) -> None:
    mine = await _customer(api, api.world.reseller)
    token = api.token(api.world.reseller, "ADMIN")
    node = (await api.gql(NODE, {"id": mine}, token=token)).data["node"]
    assert node == {"id": mine, "__typename": "Organization", "shortName": "Copaco"}
    history = await api.gql(
        "query H($id: ID!) { organization(id: $id) { history { nodes { id } } } }",
        {"id": mine},
        token=token,
    )
    change_id = history.data["organization"]["history"]["nodes"][0]["id"]
    query = "query N($id: ID!) { node(id: $id) { __typename ... on StatusChange { toStatus } } }"
    change = await api.gql(query, {"id": change_id}, token=token)
    assert change.data["node"] == {"__typename": "StatusChange", "toStatus": "PENDING_APPROVAL"}
    stranger = api.token(api.world.other_reseller, "ADMIN")
    assert (await api.gql(query, {"id": change_id}, token=stranger)).data["node"] is None


async def test_nodes_refuses_more_ids_than_a_page_rather_than_dropping_some(api: Api) -> None:
    token = api.token(api.world.reseller, "VIEWER")
    ninety_nine = await api.gql(NODES, {"ids": [api.world.reseller] * 99}, token=token)
    assert len(ninety_nine.data["nodes"]) == 99
    too_many = await api.gql(NODES, {"ids": [api.world.reseller] * 101}, token=token)
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
