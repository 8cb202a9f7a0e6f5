"""updateCustomer and the audit log: versions, the form's rules on the merged result, no-ops,
duplicates, archived customers, idempotency keys, and what the audit shows to whom."""

from __future__ import annotations

import asyncio
from typing import Any

from models import AuditEntry
from tests.api import Api
from tests.builders import SECOND, customer_input
from tests.queries import CREATE

UPDATE = """
mutation Update($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) {
    customer { id version taxId erpId shortName registrationNumber
      primaryAddress { country city postalCode state } primaryContact { email phone } }
    replayed
    errors { field code message }
  }
}
"""

AUDIT = """
query Audit($id: ID!) {
  organization(id: $id) {
    version
    auditLog { totalCount nodes { id action occurredAt requestId fromStatus toStatus comment
      actor { subject organization { id } } changes { field oldValue newValue } } }
  }
}
"""


async def _create(api: Api, base: dict[str, Any] | None = None, sub: str = "creator") -> str:
    token = api.token(api.world.reseller, "ADMIN", sub=sub)
    created = await api.gql(CREATE, {"input": customer_input(base)}, token=token)
    payload = created.data["createCustomer"]
    assert payload["errors"] == [], payload
    return payload["customer"]["id"]


async def _update(api: Api, token: str | None = None, **input: Any) -> dict[str, Any]:
    token = token or api.token(api.world.reseller, "ADMIN", sub="editor")
    result = await api.gql(UPDATE, {"input": input}, token=token)
    return result.data["updateCustomer"]


async def _audit(api: Api, id: str, token: str | None = None) -> dict[str, Any]:
    token = token or api.token(api.world.reseller, "ADMIN")
    return (await api.gql(AUDIT, {"id": id}, token=token)).data["organization"]


def _codes(payload: dict[str, Any]) -> list[tuple[Any, str]]:
    return [(e["field"], e["code"]) for e in payload["errors"]]


async def test_an_edit_raises_the_version_and_is_audited_with_old_and_new_values(api: Api) -> None:
    customer = await _create(api)
    address = {**customer_input()["primaryAddress"], "city": "Veldhoven", "postalCode": "5504dr"}
    payload = await _update(
        api, id=customer, expectedVersion=1, shortName="  Copaco NL ", primaryAddress=address
    )
    assert payload["errors"] == []
    updated = payload["customer"]
    assert updated["version"] == 2
    assert updated["shortName"] == "Copaco NL"
    assert updated["primaryAddress"] == {
        "country": "NL",
        "city": "Veldhoven",
        "postalCode": "5504 DR",
        "state": None,
    }
    log = await _audit(api, customer)
    assert log["version"] == 2
    created, edited = log["auditLog"]["nodes"]
    assert log["auditLog"]["totalCount"] == 2
    assert (created["action"], created["toStatus"], created["changes"]) == (
        "CREATED",
        "PENDING_APPROVAL",
        [],
    )
    assert created["actor"] == {"subject": "creator", "organization": {"id": api.world.reseller}}
    assert edited["action"] == "UPDATED"
    assert edited["actor"]["subject"] == "editor"
    assert edited["requestId"] and edited["requestId"] != created["requestId"]
    assert edited["changes"] == [
        {"field": "shortName", "oldValue": "Copaco", "newValue": "Copaco NL"},
        {"field": "primaryAddress.city", "oldValue": "Eindhoven", "newValue": "Veldhoven"},
        {"field": "primaryAddress.postalCode", "oldValue": "5652 AW", "newValue": "5504 DR"},
    ]


async def test_the_same_values_in_another_spelling_change_nothing(api: Api) -> None:
    customer = await _create(api)
    same = customer_input()
    payload = await _update(
        api,
        id=customer,
        expectedVersion=1,
        taxId="nl 0064.86.253.b01",
        registrationNumber=" 17048595 ",
        primaryAddress={**same["primaryAddress"], "postalCode": "5652 aw"},
        primaryContact={**same["primaryContact"], "phone": "040 250 6000"},
    )
    assert payload["errors"] == []
    assert payload["customer"]["version"] == 1
    log = await _audit(api, customer)
    assert [e["action"] for e in log["auditLog"]["nodes"]] == ["CREATED"]
    assert await AuditEntry.filter(action="UPDATED").count() == 0


async def test_a_stale_version_is_refused_even_when_the_values_match(api: Api) -> None:
    customer = await _create(api)
    first = await _update(api, id=customer, expectedVersion=1, fullName="Copaco Nederland B.V.")
    assert first["customer"]["version"] == 2
    stale = await _update(api, id=customer, expectedVersion=1, fullName="Copaco Nederland B.V.")
    assert _codes(stale) == [(["expectedVersion"], "STALE_VERSION")]
    assert "fullName" in stale["errors"][0]["message"]  # says what changed meanwhile
    ahead = await _update(api, id=customer, expectedVersion=7, shortName="X")
    assert _codes(ahead) == [(["expectedVersion"], "STALE_VERSION")]
    log = await _audit(api, customer)
    assert (log["version"], log["auditLog"]["totalCount"]) == (2, 2)


async def test_two_people_saving_the_same_version_one_wins(api: Api) -> None:
    customer = await _create(api)
    results = await asyncio.gather(
        *(_update(api, id=customer, expectedVersion=1, shortName=f"Name {i}") for i in range(6))
    )
    winners = [r for r in results if not r["errors"]]
    assert len(winners) == 1
    assert all(
        _codes(r) == [(["expectedVersion"], "STALE_VERSION")] for r in results if r["errors"]
    )
    log = await _audit(api, customer)
    assert (log["version"], log["auditLog"]["totalCount"]) == (2, 2)


async def test_a_new_country_rechecks_the_tax_id_postal_code_and_phone(api: Api) -> None:
    customer = await _create(api)
    german = {
        "country": "DE",
        "city": "Berlin",
        "line1": "Unter den Linden 1",
        "postalCode": "5652AW",
    }
    payload = await _update(api, id=customer, expectedVersion=1, primaryAddress=german)
    codes = dict((tuple(f), c) for f, c in _codes(payload))
    assert codes[("taxId",)] == "COUNTRY_MISMATCH"
    assert codes[("primaryAddress", "postalCode")] == "INVALID_FORMAT"
    assert payload["customer"] is None
    log = await _audit(api, customer)
    assert log["version"] == 1
    # With a German tax ID and postal code the move goes through; the phone keeps its E.164.
    fixed = await _update(
        api,
        id=customer,
        expectedVersion=1,
        taxId="DE136695976",
        registrationNumber="HRB 12345",
        primaryAddress={**german, "postalCode": "10117"},
    )
    assert fixed["errors"] == [], fixed
    assert fixed["customer"]["taxId"] == "DE136695976"
    assert fixed["customer"]["primaryContact"]["phone"] == "+31402506000"
    changes = (await _audit(api, customer))["auditLog"]["nodes"][-1]["changes"]
    assert {c["field"] for c in changes} >= {"taxId", "primaryAddress.country"}


async def test_every_problem_of_the_merged_form_comes_back_at_once(api: Api) -> None:
    customer = await _create(api)
    payload = await _update(
        api,
        id=customer,
        expectedVersion=1,
        shortName=" ",
        currency="XXX",
        primaryContact={**customer_input()["primaryContact"], "email": "nope"},
    )
    assert _codes(payload) == [
        (["shortName"], "REQUIRED"),
        (["currency"], "UNSUPPORTED_CURRENCY"),
        (["primaryContact", "email"], "INVALID_EMAIL"),
    ]


async def test_numbers_clash_only_with_other_live_customers(api: Api) -> None:
    customer = await _create(api)
    await _create(api, SECOND)
    taken = await _update(api, id=customer, expectedVersion=1, erpId="456", taxId=SECOND["taxId"])
    assert _codes(taken) == [(["erpId"], "DUPLICATE"), (["taxId"], "DUPLICATE")]
    # Its own numbers are no clash.
    own = await _update(api, id=customer, expectedVersion=1, erpId="123", shortName="Copaco 2")
    assert own["errors"] == []


async def test_an_idempotency_key_applies_an_update_once(api: Api) -> None:
    customer = await _create(api)
    change = {"id": customer, "expectedVersion": 1, "shortName": "Once", "idempotencyKey": "k1"}
    first = await _update(api, **change)
    again = await _update(api, **change)
    assert first["errors"] == again["errors"] == []
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["customer"]["version"] == 2
    other = await _update(api, **{**change, "shortName": "Twice"})
    assert _codes(other) == [(["idempotencyKey"], "IDEMPOTENCY_KEY_REUSED")]
    assert (await _audit(api, customer))["auditLog"]["totalCount"] == 2


async def test_roles_and_tenancy(api: Api) -> None:
    customer = await _create(api)
    viewer = api.token(api.world.reseller, "VIEWER")
    refused = await _update(api, viewer, id=customer, expectedVersion=1, shortName="X")
    assert _codes(refused) == [(None, "FORBIDDEN")]
    manager = api.token(api.world.reseller, "ACCOUNT_MANAGER")
    allowed = await _update(api, manager, id=customer, expectedVersion=1, shortName="X")
    assert allowed["errors"] == []
    other = api.token(api.world.other_reseller, "ADMIN")
    foreign = await _update(api, other, id=customer, expectedVersion=2, shortName="Y")
    missing_id = "T3JnYW5pemF0aW9uOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA"
    missing = await _update(api, other, id=missing_id, expectedVersion=2, shortName="Y")
    assert foreign == missing
    assert _codes(foreign) == [(["id"], "NOT_FOUND")]
    reseller = await _update(api, id=api.world.reseller, expectedVersion=1, shortName="Y")
    assert _codes(reseller) == [(["id"], "NOT_FOUND")]


async def test_audit_entries_are_nodes_within_tenancy(api: Api) -> None:
    customer = await _create(api)
    entry = (await _audit(api, customer))["auditLog"]["nodes"][0]
    query = "query($id: ID!) { node(id: $id) { ... on AuditEntry { id action } } }"
    mine = await api.gql(query, {"id": entry["id"]}, token=api.token(api.world.reseller))
    assert mine.data["node"] == {"id": entry["id"], "action": "CREATED"}
    other = api.token(api.world.other_reseller, "ADMIN")
    assert (await api.gql(query, {"id": entry["id"]}, token=other)).data["node"] is None


async def test_status_changes_are_audited_and_raise_the_version(api: Api) -> None:
    customer = await _create(api)
    token = api.token(api.world.reseller, "ADMIN", sub="approver")
    approve = (
        'mutation($id: ID!) { approveCustomer(input: {id: $id, comment: "ok"}) '
        "{ errors { code } } }"
    )
    assert (await api.gql(approve, {"id": customer}, token=token)).data["approveCustomer"] == {
        "errors": []
    }
    log = await _audit(api, customer)
    assert log["version"] == 2
    entry = log["auditLog"]["nodes"][-1]
    assert (entry["action"], entry["fromStatus"], entry["toStatus"], entry["comment"]) == (
        "STATUS_CHANGED",
        "PENDING_APPROVAL",
        "ACTIVE",
        "ok",
    )
    assert entry["actor"] == {"subject": "approver", "organization": {"id": api.world.reseller}}
    stale = await _update(api, id=customer, expectedVersion=1, shortName="X")
    assert "status" in stale["errors"][0]["message"]
