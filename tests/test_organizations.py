"""organizations: the refine / nestjs-query grammar for filters, sorting, paging and counts."""

from __future__ import annotations

from typing import Any

import pytest

from settings import Settings
from tests.api import Api
from tests.builders import customer_input, numbered
from tests.queries import APPROVE, COUNTS, CREATE, LIST


async def _create_many(api: Api, count: int, reseller: str | None = None) -> list[str]:
    token = api.token(reseller or api.world.reseller, "ADMIN")
    ids = []
    for n in range(count):
        payload = (await api.gql(CREATE, {"input": numbered(n)}, token=token)).data[
            "createCustomer"
        ]
        assert payload["errors"] == [], payload["errors"]
        ids.append(payload["customer"]["id"])
    return ids


async def _list(api: Api, token: str, **variables: Any) -> dict[str, Any]:
    return (await api.gql(LIST, variables, token=token)).data["organizations"]


async def test_filter_by_status_lists_what_waits_for_approval(api: Api) -> None:
    ids = await _create_many(api, 3)
    admin = api.token(api.world.reseller, "ADMIN")
    await api.gql(APPROVE, {"input": {"id": ids[0]}}, token=admin)
    pending = await _list(api, admin, filter={"status": {"eq": "PENDING_APPROVAL"}})
    assert [n["id"] for n in pending["nodes"]] == ids[1:]
    active = await _list(
        api, admin, filter={"status": {"eq": "ACTIVE"}, "kind": {"eq": "CUSTOMER"}}
    )
    assert [n["id"] for n in active["nodes"]] == ids[:1]
    counts = (await api.gql(COUNTS, {"filter": {"kind": {"eq": "CUSTOMER"}}}, token=admin)).data
    assert counts["organizations"]["totalCount"] == 3
    assert {c["status"]: c["count"] for c in counts["organizations"]["countsByStatus"]} == {
        "PENDING_APPROVAL": 2,
        "ACTIVE": 1,
        "REJECTED": 0,
        "SUSPENDED": 0,
        "BLOCKED": 0,
        "ARCHIVED": 0,
    }
    tabs = await api.gql(
        COUNTS,
        {"filter": {"kind": {"eq": "CUSTOMER"}, "status": {"eq": "ACTIVE"}}},
        token=admin,
    )
    assert tabs.data["organizations"]["totalCount"] == 1
    # The status tabs ignore the selected tab, so every tab shows its own count.
    assert sum(c["count"] for c in tabs.data["organizations"]["countsByStatus"]) == 3


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"shortName": {"iLike": "%stomer 00%"}}, [0, 1, 2, 3, 4]),
        ({"shortName": {"iLike": "customer 003"}}, [3]),
        ({"shortName": {"iLike": "%004"}}, [4]),
        ({"shortName": {"notILike": "%00%"}}, []),
        ({"erpId": {"in": ["ERP-001", "ERP-003"]}}, [1, 3]),
        ({"erpId": {"notIn": ["ERP-001", "ERP-003"]}}, [0, 2, 4]),
        ({"erpId": {"neq": "ERP-000"}}, [1, 2, 3, 4]),
        ({"or": [{"erpId": {"eq": "ERP-000"}}, {"erpId": {"eq": "ERP-004"}}]}, [0, 4]),
        ({"and": [{"erpId": {"neq": "ERP-000"}}, {"erpId": {"neq": "ERP-004"}}]}, [1, 2, 3]),
        ({"search": "erp-002"}, [2]),
        ({"search": "number 001"}, [1]),
        ({"search": "00000003"}, [3]),
        ({"shortName": {"like": "Customer 00%"}}, [0, 1, 2, 3, 4]),
        ({"shortName": {"like": "customer 00%"}}, []),  # case-sensitive, on SQLite too
        ({"shortName": {"notLike": "%001"}}, [0, 2, 3, 4]),
        ({"erpId": {"is": None}}, []),
        ({"erpId": {"isNot": None}}, [0, 1, 2, 3, 4]),
    ],
)
async def test_text_filters(api: Api, filter: dict[str, Any], expected: list[int]) -> None:
    await _create_many(api, 5)
    token = api.token(api.world.reseller, "VIEWER")
    scoped = {"and": [filter, {"kind": {"eq": "CUSTOMER"}}]}
    found = await _list(api, token, filter=scoped)
    assert [n["shortName"] for n in found["nodes"]] == [f"Customer {n:03d}" for n in expected]


async def test_search_finds_a_tax_id_typed_with_spaces_and_dots(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    await api.gql(CREATE, {"input": customer_input()}, token=token)
    found = await _list(api, token, filter={"search": "NL 0064.86.253"})
    assert [n["shortName"] for n in found["nodes"]] == ["Copaco"]


async def test_id_and_parent_filters(api: Api) -> None:
    mine = await _create_many(api, 2)
    token = api.token(api.world.distributor, "VIEWER")
    by_id = await _list(api, token, filter={"id": {"in": [mine[1], "garbage"]}})
    assert [n["id"] for n in by_id["nodes"]] == [mine[1]]
    children = await _list(api, token, filter={"parentId": {"eq": api.world.reseller}})
    assert [n["id"] for n in children["nodes"]] == mine
    resellers = await _list(api, token, filter={"parentId": {"eq": api.world.distributor}})
    assert {n["kind"] for n in resellers["nodes"]} == {"RESELLER"}
    top = await _list(api, token, filter={"parentId": {"is": None}})
    assert [n["kind"] for n in top["nodes"]] == ["DISTRIBUTOR"]
    below = await _list(api, token, filter={"parentId": {"isNot": None}})
    assert {n["kind"] for n in below["nodes"]} == {"RESELLER", "CUSTOMER"}


async def test_created_at_ranges(api: Api) -> None:
    await _create_many(api, 3)
    token = api.token(api.world.reseller, "ADMIN")
    everything = await api.gql(
        "query { organizations(filter: {kind: {eq: CUSTOMER}}) { nodes { createdAt } } }",
        token=token,
    )
    stamps = [n["createdAt"] for n in everything.data["organizations"]["nodes"]]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3  # microseconds keep them apart
    after_first = await _list(
        api, token, filter={"kind": {"eq": "CUSTOMER"}, "createdAt": {"gt": stamps[0]}}
    )
    assert len(after_first["nodes"]) == 2
    between = await _list(
        api,
        token,
        filter={"createdAt": {"between": {"lower": stamps[1], "upper": stamps[2]}}},
    )
    assert len(between["nodes"]) == 2
    before = await _list(
        api, token, filter={"kind": {"eq": "CUSTOMER"}, "createdAt": {"lte": stamps[0]}}
    )
    assert len(before["nodes"]) == 1
    outside = await _list(
        api,
        token,
        filter={
            "kind": {"eq": "CUSTOMER"},
            "createdAt": {"notBetween": {"lower": stamps[1], "upper": stamps[2]}},
        },
    )
    assert len(outside["nodes"]) == 1


async def test_sorting_with_creation_order_as_tie_break(api: Api) -> None:
    await _create_many(api, 4)
    token = api.token(api.world.reseller, "ADMIN")
    customers = {"kind": {"eq": "CUSTOMER"}}
    desc = await _list(
        api, token, filter=customers, sorting=[{"field": "shortName", "direction": "DESC"}]
    )
    assert [n["shortName"] for n in desc["nodes"]] == [f"Customer {n:03d}" for n in (3, 2, 1, 0)]
    # All share one status: the tie-break is creation order.
    by_status = await _list(api, token, filter=customers, sorting=[{"field": "status"}])
    assert [n["shortName"] for n in by_status["nodes"]] == [f"Customer {n:03d}" for n in range(4)]


async def test_offset_paging_like_an_admin_grid(api: Api) -> None:
    await _create_many(api, 5)
    token = api.token(api.world.reseller, "ADMIN")
    customers = {"kind": {"eq": "CUSTOMER"}}
    page2 = await _list(api, token, filter=customers, paging={"limit": 2, "offset": 2})
    assert [n["shortName"] for n in page2["nodes"]] == ["Customer 002", "Customer 003"]
    assert page2["pageInfo"]["hasNextPage"] is True
    assert page2["pageInfo"]["hasPreviousPage"] is True
    last = await _list(api, token, filter=customers, paging={"limit": 2, "offset": 4})
    assert last["pageInfo"]["hasNextPage"] is False


async def test_relay_cursors_forward_and_backward(api: Api) -> None:
    await _create_many(api, 5)
    token = api.token(api.world.reseller, "ADMIN")
    customers = {"kind": {"eq": "CUSTOMER"}}
    seen: list[str] = []
    after = None
    while True:
        page = await _list(api, token, filter=customers, first=2, after=after)
        seen += [n["shortName"] for n in page["nodes"]]
        assert [e["node"]["id"] for e in page["edges"]] == [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"Customer {n:03d}" for n in range(5)]
    tail = await _list(api, token, filter=customers, last=2)
    assert [n["shortName"] for n in tail["nodes"]] == ["Customer 003", "Customer 004"]
    before = await _list(
        api, token, filter=customers, last=2, before=tail["pageInfo"]["startCursor"]
    )
    assert [n["shortName"] for n in before["nodes"]] == ["Customer 001", "Customer 002"]


async def test_huge_page_sizes_are_clamped_not_refused(api_factory: Any) -> None:
    """refine sends a huge `limit` when its pagination is off: the answer is a full page of
    PORTAL_MAX_PAGE_SIZE rows (here 2 of the 3 customers), never an error and never all."""
    async with api_factory(max_page_size=2) as api:
        ids = await _create_many(api, 3)
        token = api.token(api.world.reseller, "ADMIN")
        customers = {"kind": {"eq": "CUSTOMER"}}
        for size in ({"paging": {"limit": 1_000_000}}, {"first": 1_000_000}, {"first": 50}):
            page = await _list(api, token, filter=customers, **size)
            assert [n["id"] for n in page["nodes"]] == ids[:2], size
            assert page["pageInfo"]["hasNextPage"] is True
        tail = await _list(api, token, filter=customers, last=1_000_000)
        assert [n["id"] for n in tail["nodes"]] == ids[1:]
    # Without a setting the clamp is at 100 (README, PORTAL_MAX_PAGE_SIZE).
    assert Settings().max_page_size == 100


async def test_bad_paging_and_filters_are_a_clear_error(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    for variables in (
        {"first": -1},
        {"after": "not-a-cursor"},
        {"filter": {"erpId": {"is": True}}},
        {"filter": {"erpId": {"is": None, "isNot": None}}},
    ):
        result = await api.gql(LIST, variables, token=token)
        assert result["data"] is None
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
