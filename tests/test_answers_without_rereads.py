"""createCustomer, approveCustomer and rejectCustomer answer from what they wrote (RETURNING,
the rows as inserted) instead of reading the customer again: the answer must be exactly
what a read returns afterwards, on both databases."""

from __future__ import annotations

import pytest

from tests.api import Api
from tests.builders import customer_input
from tests.queries import ORG_FIELDS, ORGANIZATION

CREATE = f"""
mutation Create($input: CreateCustomerInput!) {{
  createCustomer(input: $input) {{ customer {{ {ORG_FIELDS} }} replayed errors {{ code }} }}
}}
"""
APPROVE = f"""
mutation Approve($input: ApproveCustomerInput!) {{
  approveCustomer(input: $input) {{ customer {{ {ORG_FIELDS} }} errors {{ code }} }}
}}
"""
REJECT = f"""
mutation Reject($input: RejectCustomerInput!) {{
  rejectCustomer(input: $input) {{ customer {{ {ORG_FIELDS} }} errors {{ code }} }}
}}
"""
HISTORY = """
query History($id: ID!) {
  organization(id: $id) { history { nodes { fromStatus toStatus comment requestId
    actor { subject organization { id } } } } }
}
"""


async def _read(api: Api, id: str, token: str) -> dict[str, object]:
    return (await api.gql(ORGANIZATION, {"id": id}, token=token)).data["organization"]


async def test_a_created_customer_is_answered_as_it_reads_back(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN", sub="creator")
    # A US customer: state, second line and a phone in national format all normalized.
    address = {"state": "california", "line2": "Building 40", "postalCode": "94043"}
    address |= {"country": "US", "city": "Mountain View", "line1": "1600 Amphitheatre Pkwy"}
    contact = {"firstName": "Ada", "lastName": "Lovelace", "role": "CTO"}
    contact |= {"email": "Ada@Example.COM", "phone": "(650) 253-0000"}
    form = customer_input(
        idempotencyKey="answer-1",
        taxId="04-2103594",
        registrationNumber="C0806592",
        currency="USD",
        address=address,
        contact=contact,
    )
    payload = (await api.gql(CREATE, {"input": form}, token=token)).data["createCustomer"]
    assert payload["errors"] == [] and payload["replayed"] is False
    created = payload["customer"]
    assert created == await _read(api, created["id"], token)
    assert created["primaryAddress"]["line2"] == "Building 40"
    # A replay reads the customer; it must answer the same.
    replay = (await api.gql(CREATE, {"input": form}, token=token)).data["createCustomer"]
    assert replay["replayed"] is True and replay["customer"] == created


@pytest.mark.parametrize("mutation", ["approve", "reject"])
async def test_a_transition_is_answered_as_it_reads_back(api: Api, mutation: str) -> None:
    creator = api.token(api.world.reseller, "ADMIN", sub="creator")
    created = (await api.gql(CREATE, {"input": customer_input()}, token=creator)).data
    customer = created["createCustomer"]["customer"]["id"]
    token = api.token(api.world.distributor, "ADMIN", sub="approver")
    document, name, note = {
        "approve": (APPROVE, "approveCustomer", {"comment": "KYC ok"}),
        "reject": (REJECT, "rejectCustomer", {"reason": "Unknown company"}),
    }[mutation]
    result = await api.gql(document, {"input": {"id": customer, **note}}, token=token)
    payload = result.data[name]
    assert payload["errors"] == []
    answered = payload["customer"]
    assert answered == await _read(api, customer, token)
    assert answered["status"] == ("ACTIVE" if mutation == "approve" else "REJECTED")
    assert (answered["approvedBy"] is None) is (mutation == "reject")
    history = (await api.gql(HISTORY, {"id": customer}, token=token)).data["organization"]
    entries = history["history"]["nodes"]
    assert [(e["fromStatus"], e["toStatus"]) for e in entries] == [
        (None, "PENDING_APPROVAL"),
        ("PENDING_APPROVAL", answered["status"]),
    ]
    assert entries[1]["comment"] == next(iter(note.values()))
    assert entries[1]["actor"] == {
        "subject": "approver",
        "organization": {"id": api.world.distributor},
    }
    # The losing second call writes nothing and says why.
    again = (await api.gql(document, {"input": {"id": customer, **note}}, token=token)).data
    assert [e["code"] for e in again[name]["errors"]] == ["INVALID_STATUS_TRANSITION"]
    history = (await api.gql(HISTORY, {"id": customer}, token=token)).data["organization"]
    assert len(history["history"]["nodes"]) == 2
