"""approveCustomer and rejectCustomer: roles, tenancy, four eyes, the history, and races."""

from __future__ import annotations

import asyncio

import pytest

from models import StatusChange
from tests.api import Api
from tests.builders import customer_input
from tests.conftest import ApiFactory
from tests.queries import APPROVE, CREATE, REJECT


async def _create(api: Api, reseller: str | None = None, sub: str = "creator") -> str:
    token = api.token(reseller or api.world.reseller, "ADMIN", sub=sub)
    payload = (await api.gql(CREATE, {"input": customer_input()}, token=token)).data[
        "createCustomer"
    ]
    assert payload["errors"] == []
    return payload["customer"]["id"]


def _input(mutation: str, customer: str) -> dict[str, object]:
    extra = {"reason": "Not a real company"} if mutation is REJECT else {}
    return {"input": {"id": customer, **extra}}


def _codes(payload: dict[str, object]) -> list[tuple[object, object]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]  # type: ignore[index,union-attr]


async def test_reseller_admin_approves_and_the_history_records_it(api: Api) -> None:
    customer = await _create(api)
    token = api.token(api.world.reseller, "ADMIN", sub="approver")
    result = await api.gql(APPROVE, {"input": {"id": customer, "comment": "KYC ok"}}, token=token)
    payload = result.data["approveCustomer"]
    assert payload["errors"] == []
    approved = payload["customer"]
    assert approved["status"] == "ACTIVE"
    assert approved["approvedBy"] == "approver"
    assert approved["approvedAt"] >= approved["createdAt"]
    history = approved["history"]
    assert history["totalCount"] == 2
    created, approval = history["nodes"]
    assert (created["fromStatus"], created["toStatus"]) == (None, "PENDING_APPROVAL")
    assert created["actor"] == {"subject": "creator", "organization": {"id": api.world.reseller}}
    assert created["requestId"] and created["requestId"] != approval["requestId"]
    assert created["occurredAt"] == approved["createdAt"]
    assert approval["occurredAt"] == approved["approvedAt"]
    assert (approval["fromStatus"], approval["toStatus"]) == ("PENDING_APPROVAL", "ACTIVE")
    assert approval["comment"] == "KYC ok"
    assert approval["actor"] == {"subject": "approver", "organization": {"id": api.world.reseller}}
    assert approval["requestId"]


async def test_request_id_from_the_client_is_recorded(api: Api) -> None:
    customer = await _create(api)
    token = api.token(api.world.reseller, "ADMIN")
    response = await api.client.post(
        "/graphql",
        json={"query": APPROVE, "variables": {"input": {"id": customer}}},
        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-42"},
    )
    assert response.headers["x-request-id"] == "req-42"
    approval = response.json()["data"]["approveCustomer"]["customer"]["history"]["nodes"][1]
    assert approval["requestId"] == "req-42"


async def test_reject_needs_a_reason_and_records_it(api: Api) -> None:
    customer = await _create(api)
    token = api.token(api.world.reseller, "ADMIN")
    blank = await api.gql(REJECT, {"input": {"id": customer, "reason": "  "}}, token=token)
    assert _codes(blank.data["rejectCustomer"]) == [(["reason"], "REQUIRED")]
    result = await api.gql(REJECT, {"input": {"id": customer, "reason": "No KvK"}}, token=token)
    rejected = result.data["rejectCustomer"]["customer"]
    assert rejected["status"] == "REJECTED"
    assert rejected["approvedAt"] is None
    assert rejected["history"]["nodes"][-1] == {
        "fromStatus": "PENDING_APPROVAL",
        "toStatus": "REJECTED",
        "comment": "No KvK",
    }


@pytest.mark.parametrize(
    ("first", "second"),
    [(APPROVE, APPROVE), (APPROVE, REJECT), (REJECT, APPROVE), (REJECT, REJECT)],
)
async def test_only_pending_customers_change(api: Api, first: str, second: str) -> None:
    customer = await _create(api)
    token = api.token(api.world.reseller, "ADMIN")
    done = await api.gql(first, _input(first, customer), token=token)
    assert next(iter(done.data.values()))["errors"] == []
    again = await api.gql(second, _input(second, customer), token=token)
    assert _codes(next(iter(again.data.values()))) == [(["id"], "INVALID_STATUS_TRANSITION")]
    assert await StatusChange.all().count() == 3 + 2  # 3 seeded orgs + creation + one change


async def test_concurrent_approvals_make_one_transition(api: Api) -> None:
    customer = await _create(api)
    tokens = [api.token(api.world.reseller, "ADMIN", sub=f"a{i}") for i in range(4)]
    tokens.append(api.token(api.world.distributor, "ADMIN", sub="d"))
    results = await asyncio.gather(
        *(api.gql(APPROVE, _input(APPROVE, customer), token=t) for t in tokens),
        *(api.gql(REJECT, _input(REJECT, customer), token=t) for t in tokens),
    )
    payloads = [next(iter(r.data.values())) for r in results]
    winners = [p for p in payloads if not p["errors"]]
    assert len(winners) == 1
    refused = [_codes(p) for p in payloads if p["errors"]]
    assert all(codes == [(["id"], "INVALID_STATUS_TRANSITION")] for codes in refused)
    changes = await StatusChange.filter(from_status="PENDING_APPROVAL").count()
    assert changes == 1


async def test_distributor_admin_may_approve_any_customer(api: Api) -> None:
    customer = await _create(api, api.world.other_reseller)
    token = api.token(api.world.distributor, "ADMIN")
    result = await api.gql(APPROVE, {"input": {"id": customer}}, token=token)
    assert result.data["approveCustomer"]["customer"]["status"] == "ACTIVE"


@pytest.mark.parametrize("role", ["VIEWER", "ACCOUNT_MANAGER"])
async def test_non_admins_may_not_approve_or_reject(api: Api, role: str) -> None:
    customer = await _create(api)
    token = api.token(api.world.reseller, role)
    for mutation in (APPROVE, REJECT):
        result = await api.gql(mutation, _input(mutation, customer), token=token)
        assert _codes(next(iter(result.data.values()))) == [(None, "FORBIDDEN")]


async def test_customer_users_may_not_approve_themselves(api: Api) -> None:
    customer = await _create(api)
    token = api.token(customer, "ADMIN")
    result = await api.gql(APPROVE, {"input": {"id": customer}}, token=token)
    assert _codes(result.data["approveCustomer"]) == [(None, "FORBIDDEN")]


async def test_other_reseller_gets_not_found_exactly_like_a_missing_id(api: Api) -> None:
    customer = await _create(api)
    token = api.token(api.world.other_reseller, "ADMIN")
    foreign = await api.gql(APPROVE, {"input": {"id": customer}}, token=token)
    missing_id = "T3JnYW5pemF0aW9uOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA"
    missing = await api.gql(APPROVE, {"input": {"id": missing_id}}, token=token)
    garbage = await api.gql(APPROVE, {"input": {"id": "nope"}}, token=token)
    assert foreign == missing == garbage
    assert _codes(foreign.data["approveCustomer"]) == [(["id"], "NOT_FOUND")]


async def test_resellers_cannot_be_approved(api: Api) -> None:
    token = api.token(api.world.distributor, "ADMIN")
    result = await api.gql(APPROVE, {"input": {"id": api.world.reseller}}, token=token)
    assert _codes(result.data["approveCustomer"]) == [(["id"], "NOT_FOUND")]


async def test_four_eyes_stops_the_creator_but_not_a_colleague(api_factory: ApiFactory) -> None:
    async with api_factory(four_eyes=True) as api:
        customer = await _create(api, sub="maker")
        own = api.token(api.world.reseller, "ADMIN", sub="maker")
        refused = await api.gql(APPROVE, {"input": {"id": customer}}, token=own)
        assert _codes(refused.data["approveCustomer"]) == [(None, "FORBIDDEN")]
        colleague = api.token(api.world.reseller, "ADMIN", sub="checker")
        approved = await api.gql(APPROVE, {"input": {"id": customer}}, token=colleague)
        assert approved.data["approveCustomer"]["customer"]["status"] == "ACTIVE"


async def test_without_four_eyes_the_creator_may_approve(api: Api) -> None:
    customer = await _create(api, sub="maker")
    own = api.token(api.world.reseller, "ADMIN", sub="maker")
    approved = await api.gql(APPROVE, {"input": {"id": customer}}, token=own)
    assert approved.data["approveCustomer"]["customer"]["status"] == "ACTIVE"


async def test_four_eyes_knows_the_same_subject_in_another_organization(
    api_factory: ApiFactory,
) -> None:
    async with api_factory(four_eyes=True) as api:
        customer = await _create(api, sub="sam")
        elsewhere = api.token(api.world.distributor, "ADMIN", sub="sam")
        approved = await api.gql(APPROVE, {"input": {"id": customer}}, token=elsewhere)
        assert approved.data["approveCustomer"]["customer"]["status"] == "ACTIVE"
