"""The whole lifecycle through HTTP: every status × every transition mutation, reasons,
create-and-approve, archiving (hidden from lists and counts, numbers freed), and tenancy for
each mutation."""

from __future__ import annotations

from typing import Any

import pytest

from models import AuditEntry, Organization, OrganizationKind, StatusChange
from tests.api import Api
from tests.builders import customer_input, numbered
from tests.conftest import ApiFactory
from tests.queries import CREATE

# The product brief's lifecycle, written out independently of resolvers/transitions.py.
ALLOWED = {
    "approveCustomer": ({"PENDING_APPROVAL"}, "ACTIVE"),
    "rejectCustomer": ({"PENDING_APPROVAL"}, "REJECTED"),
    "suspendCustomer": ({"ACTIVE"}, "SUSPENDED"),
    "blockCustomer": ({"ACTIVE", "SUSPENDED"}, "BLOCKED"),
    "reactivateCustomer": ({"SUSPENDED", "BLOCKED"}, "ACTIVE"),
    "resubmitCustomer": ({"REJECTED"}, "PENDING_APPROVAL"),
    "archiveCustomer": ({"PENDING_APPROVAL", "REJECTED", "BLOCKED"}, "ARCHIVED"),
}
NEEDS_REASON = {"rejectCustomer", "suspendCustomer", "blockCustomer", "archiveCustomer"}
# How a fresh customer gets into each status.
PATH = {
    "PENDING_APPROVAL": [],
    "ACTIVE": ["approveCustomer"],
    "REJECTED": ["rejectCustomer"],
    "SUSPENDED": ["approveCustomer", "suspendCustomer"],
    "BLOCKED": ["approveCustomer", "blockCustomer"],
    "ARCHIVED": ["rejectCustomer", "archiveCustomer"],
}
STATE = """
query($id: ID!) { organization(id: $id) { status version
  history { totalCount } auditLog { totalCount } } }
"""
MISSING = "T3JnYW5pemF0aW9uOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA"


def _document(mutation: str) -> str:
    input_type = mutation[0].upper() + mutation[1:] + "Input"
    return (
        f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ "
        "customer { id status version approvedBy } errors { field code message } } }"
    )


def _input(mutation: str, customer: str, note: str = "because") -> dict[str, Any]:
    return {"id": customer, ("reason" if mutation in NEEDS_REASON else "comment"): note}


async def _run(api: Api, mutation: str, customer: str, token: str | None = None, **kw: Any):
    token = token or api.token(api.world.reseller, "ADMIN", sub="operator")
    result = await api.gql(
        _document(mutation), {"input": _input(mutation, customer, **kw)}, token=token
    )
    return result.data[mutation]


async def _state(api: Api, customer: str) -> dict[str, Any]:
    token = api.token(api.world.distributor, "ADMIN")
    return (await api.gql(STATE, {"id": customer}, token=token)).data["organization"]


async def _customer_in(api: Api, status: str, n: int) -> str:
    token = api.token(api.world.reseller, "ADMIN", sub="creator")
    created = await api.gql(CREATE, {"input": numbered(n)}, token=token)
    customer = created.data["createCustomer"]["customer"]["id"]
    for step in PATH[status]:
        assert (await _run(api, step, customer))["errors"] == []
    assert (await _state(api, customer))["status"] == status
    return customer


@pytest.mark.parametrize("status", sorted(PATH))
async def test_every_mutation_from_every_status(api: Api, status: str) -> None:
    for n, (mutation, (sources, target)) in enumerate(sorted(ALLOWED.items()), start=1):
        customer = await _customer_in(api, status, n)
        before = await _state(api, customer)
        payload = await _run(api, mutation, customer)
        after = await _state(api, customer)
        if status in sources:
            assert payload["errors"] == [], (status, mutation, payload)
            assert payload["customer"]["status"] == target
            assert after["status"] == target
            assert after["version"] == before["version"] + 1
            assert after["history"]["totalCount"] == before["history"]["totalCount"] + 1
            assert after["auditLog"]["totalCount"] == before["auditLog"]["totalCount"] + 1
            if target in sources:  # no mutation leads back into its own source
                pytest.fail(f"{mutation} loops on {target}")
            again = await _run(api, mutation, customer)
            assert [e["code"] for e in again["errors"]] == ["INVALID_STATUS_TRANSITION"]
        else:
            assert payload["customer"] is None
            assert [(e["field"], e["code"]) for e in payload["errors"]] == [
                (["id"], "INVALID_STATUS_TRANSITION")
            ], (status, mutation)
            assert status in payload["errors"][0]["message"]
            assert after == before  # nothing written: status, version, history, audit


async def test_the_audit_records_each_transition_with_its_reason(api: Api) -> None:
    customer = await _customer_in(api, "ACTIVE", 1)
    await _run(api, "suspendCustomer", customer, note="Unpaid invoices")
    await _run(api, "reactivateCustomer", customer, note="Paid")
    await _run(api, "blockCustomer", customer, note="Fraud")
    await _run(api, "archiveCustomer", customer, note="Gone")
    query = """query($id: ID!) { organization(id: $id) { version auditLog { nodes {
      action fromStatus toStatus comment requestId actor { subject } } } } }"""
    found = await api.gql(query, {"id": customer}, token=api.token(api.world.reseller))
    log = found.data["organization"]
    assert log["version"] == 6
    assert [
        (e["action"], e["fromStatus"], e["toStatus"], e["comment"])
        for e in log["auditLog"]["nodes"]
    ] == [
        ("CREATED", None, "PENDING_APPROVAL", None),
        ("STATUS_CHANGED", "PENDING_APPROVAL", "ACTIVE", "because"),
        ("STATUS_CHANGED", "ACTIVE", "SUSPENDED", "Unpaid invoices"),
        ("STATUS_CHANGED", "SUSPENDED", "ACTIVE", "Paid"),
        ("STATUS_CHANGED", "ACTIVE", "BLOCKED", "Fraud"),
        ("STATUS_CHANGED", "BLOCKED", "ARCHIVED", "Gone"),
    ]
    assert all(e["requestId"] and e["actor"] for e in log["auditLog"]["nodes"])


@pytest.mark.parametrize("mutation", sorted(NEEDS_REASON))
async def test_a_reason_is_required_where_the_contract_says(api: Api, mutation: str) -> None:
    sources, _ = ALLOWED[mutation]
    customer = await _customer_in(api, sorted(sources)[0], 1)
    before = await _state(api, customer)
    payload = await _run(api, mutation, customer, note="   ")
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["reason"], "REQUIRED")]
    assert await _state(api, customer) == before


@pytest.mark.parametrize("mutation", sorted(ALLOWED))
async def test_every_mutation_answers_invisible_customers_exactly_like_missing_ones(
    api: Api, mutation: str
) -> None:
    sources, _ = ALLOWED[mutation]
    customer = await _customer_in(api, sorted(sources)[0], 1)
    before = await _state(api, customer)
    other = api.token(api.world.other_reseller, "ADMIN")
    foreign = await _run(api, mutation, customer, other)
    missing = await _run(api, mutation, MISSING, other)
    garbage = await _run(api, mutation, "nope", other)
    assert foreign == missing == garbage
    assert [(e["field"], e["code"]) for e in foreign["errors"]] == [(["id"], "NOT_FOUND")]
    reseller = await _run(api, mutation, api.world.other_reseller, api.token(api.world.distributor))
    assert reseller == missing
    assert await _state(api, customer) == before
    # The distributor may act on any customer.
    assert (await _run(api, mutation, customer, api.token(api.world.distributor)))["errors"] == []


async def test_create_and_approve_in_one_step(api_factory: ApiFactory) -> None:
    async with api_factory() as api:
        token = api.token(api.world.reseller, "ADMIN", sub="maker")
        created = await api.gql(CREATE, {"input": customer_input(approve=True)}, token=token)
        customer = created.data["createCustomer"]["customer"]
        assert customer["status"] == "ACTIVE"
        assert customer["approvedBy"] == "maker"
        assert customer["approvedAt"] > customer["createdAt"]  # right after, in one write
        history = await api.gql(
            "query($id: ID!) { organization(id: $id) "
            "{ history { nodes { fromStatus toStatus } } } }",
            {"id": customer["id"]},
            token=token,
        )
        assert history.data["organization"]["history"]["nodes"] == [
            {"fromStatus": None, "toStatus": "PENDING_APPROVAL"},
            {"fromStatus": "PENDING_APPROVAL", "toStatus": "ACTIVE"},
        ]
        state = await _state(api, customer["id"])
        assert (state["version"], state["history"]["totalCount"]) == (2, 2)
        assert state["auditLog"]["totalCount"] == 2
        manager = api.token(api.world.reseller, "ACCOUNT_MANAGER")
        refused = await api.gql(
            CREATE, {"input": customer_input(numbered(2), approve=True)}, token=manager
        )
        assert [e["code"] for e in refused.data["createCustomer"]["errors"]] == ["FORBIDDEN"]
    async with api_factory(four_eyes=True) as api:
        token = api.token(api.world.reseller, "ADMIN", sub="maker")
        refused = await api.gql(CREATE, {"input": customer_input(approve=True)}, token=token)
        payload = refused.data["createCustomer"]
        assert [e["code"] for e in payload["errors"]] == ["FORBIDDEN"]
        assert await Organization.filter(kind=OrganizationKind.CUSTOMER).count() == 0
        assert await StatusChange.filter(to_status="PENDING_APPROVAL").count() == 0
        assert await AuditEntry.filter(organization__kind=OrganizationKind.CUSTOMER).count() == 0


LIST_QUERY = """
query($filter: OrganizationFilter) { organizations(filter: $filter) {
  totalCount nodes { id status } countsByStatus { status count } } }
"""


async def test_archived_customers_leave_lists_and_counts_and_free_their_numbers(
    api: Api,
) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    archived = await _customer_in(api, "ARCHIVED", 1)
    kept = await _customer_in(api, "PENDING_APPROVAL", 2)
    customers = {"kind": {"eq": "CUSTOMER"}}
    default = (await api.gql(LIST_QUERY, {"filter": customers}, token=token)).data
    assert [n["id"] for n in default["organizations"]["nodes"]] == [kept]
    assert default["organizations"]["totalCount"] == 1
    counts = {c["status"]: c["count"] for c in default["organizations"]["countsByStatus"]}
    assert counts["ARCHIVED"] == 0 and counts["PENDING_APPROVAL"] == 1
    asked = {**customers, "status": {"in": ["PENDING_APPROVAL", "ARCHIVED"]}}
    shown = (await api.gql(LIST_QUERY, {"filter": asked}, token=token)).data["organizations"]
    assert {n["id"] for n in shown["nodes"]} == {archived, kept}
    assert {c["status"]: c["count"] for c in shown["countsByStatus"]}["ARCHIVED"] == 1
    # Still readable by ID, for the audit trail.
    assert (await _state(api, archived))["status"] == "ARCHIVED"
    # Its ERP ID, tax ID and registration number may be used again.
    again = await api.gql(CREATE, {"input": numbered(1)}, token=token)
    assert again.data["createCustomer"]["errors"] == []
    # But only once: the new one is live.
    twice = await api.gql(CREATE, {"input": numbered(1)}, token=token)
    codes = {tuple(e["field"]): e["code"] for e in twice.data["createCustomer"]["errors"]}
    assert codes == {
        ("erpId",): "DUPLICATE",
        ("registrationNumber",): "DUPLICATE",
        ("taxId",): "DUPLICATE",
    }


async def test_an_archived_customer_is_read_only(api: Api) -> None:
    archived = await _customer_in(api, "ARCHIVED", 1)
    state = await _state(api, archived)
    update = """mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) {
      customer { id } errors { field code } } }"""
    token = api.token(api.world.reseller, "ADMIN")
    for version in (state["version"], 1):
        result = await api.gql(
            update,
            {"input": {"id": archived, "expectedVersion": version, "shortName": "X"}},
            token=token,
        )
        assert result.data["updateCustomer"]["errors"] == [
            {"field": ["id"], "code": "NOT_EDITABLE"}
        ]
    assert await _state(api, archived) == state
