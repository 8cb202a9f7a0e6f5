"""A contact change in the audit log, through the API: its old and new values (a person's
name, email, phone) reach exactly the callers who may read the customer's contact.

tests/unit/test_audit_entries.py checks `AuditEntry.from_stored` hides the values; this
checks who gets which through both places an entry is read (`auditLog`, `node(id:)`).
Reading an audit log needs READ, the permission the contact needs too: so a caller refused
the contact is refused the entries (FORBIDDEN) and sees no value, and nobody is shown an
entry without being shown its contact values.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from resolvers import global_id
from resolvers.actors import Role
from tests.api import Api
from tests.builders import customer_input
from tests.queries import CREATE

UPDATE = """
mutation Update($input: UpdateCustomerInput!) {
  updateCustomer(input: $input) { errors { code } }
}
"""
LOG = """
query Log($id: ID!) {
  organization(id: $id) {
    auditLog { nodes { id action changes { field oldValue newValue } } }
  }
}
"""
ENTRY = """
query Entry($id: ID!) {
  node(id: $id) { ... on AuditEntry { action changes { field oldValue newValue } } }
}
"""
NEW_CONTACT = {
    "firstName": "Piet",
    "lastName": "Pietersen",
    "role": "CFO",
    "email": "piet@copaco.nl",
    "phone": "+31402506001",
}
# What the contact change shows a reader who may read the contact (the builder's Jan Jansen
# replaced by Piet Pietersen; role is not personal, but it changed too).
CONTACT_CHANGES = [
    {"field": "primaryContact.firstName", "oldValue": "Jan", "newValue": "Piet"},
    {"field": "primaryContact.lastName", "oldValue": "Jansen", "newValue": "Pietersen"},
    {"field": "primaryContact.email", "oldValue": "Jan@copaco.nl", "newValue": "piet@copaco.nl"},
    {"field": "primaryContact.phone", "oldValue": "+31402506000", "newValue": "+31402506001"},
]
PERSONAL_VALUES = {v for c in CONTACT_CHANGES for v in (c["oldValue"], c["newValue"])}


async def _contact_changed(api: Api) -> str:
    """A customer whose primary contact was replaced by updateCustomer."""
    admin = api.token(api.world.reseller, "ADMIN")
    created = await api.gql(CREATE, {"input": customer_input()}, token=admin)
    customer: str = created.data["createCustomer"]["customer"]["id"]
    input = {"id": customer, "expectedVersion": 1, "primaryContact": NEW_CONTACT}
    updated = await api.gql(UPDATE, {"input": input}, token=admin)
    assert updated.data["updateCustomer"]["errors"] == []
    return customer


def _personal(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in changes if c["field"] in {p["field"] for p in CONTACT_CHANGES}]


def _values(data: object) -> set[object]:
    if isinstance(data, dict):
        return set().union(*(_values(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(_values(v) for v in data))
    return {data}


def _mint(api: Api, org: str, *roles: Role) -> str:
    org_id = global_id.decode_uuid(org, "Organization")
    assert isinstance(org_id, UUID)
    return api.tokens.mint(subject="reader", org_id=org_id, roles=list(roles))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ACCOUNT_MANAGER, Role.ADMIN])
@pytest.mark.parametrize("where", ["reseller", "distributor", "customer"])
async def test_who_may_read_the_contact_sees_its_old_and_new_values(
    api: Api, role: Role, where: str
) -> None:
    customer = await _contact_changed(api)
    org = customer if where == "customer" else getattr(api.world, where)
    token = _mint(api, org, role)
    viewer = await api.gql("{ viewer { permissions } }", token=token)
    assert "READ" in viewer.data["viewer"]["permissions"]

    log = await api.gql(LOG, {"id": customer}, token=token)
    assert "errors" not in log, log
    created, edited = log.data["organization"]["auditLog"]["nodes"]
    assert (created["action"], edited["action"]) == ("CREATED", "UPDATED")
    assert _personal(edited["changes"]) == CONTACT_CHANGES
    # The same entry read as a node.
    entry = await api.gql(ENTRY, {"id": edited["id"]}, token=token)
    assert _personal(entry.data["node"]["changes"]) == CONTACT_CHANGES


async def test_who_may_not_read_the_contact_gets_none_of_its_values(api: Api) -> None:
    customer = await _contact_changed(api)
    reader = _mint(api, api.world.reseller, Role.VIEWER)
    log = await api.gql(LOG, {"id": customer}, token=reader)
    entry_id = log.data["organization"]["auditLog"]["nodes"][1]["id"]

    # No roles (no READ) and no token: refused, nothing of the contact in the answer.
    for token in [_mint(api, api.world.reseller), _mint(api, api.world.distributor), None]:
        for query, variables in [(LOG, {"id": customer}), (ENTRY, {"id": entry_id})]:
            body = (await api.post(query, variables, token=token)).json()
            assert not _values(body.get("data")) & PERSONAL_VALUES, body
            codes = {e["extensions"]["code"] for e in body.get("errors", [])}
            assert codes == {"FORBIDDEN" if token else "UNAUTHENTICATED"}, body

    # Another reseller's reader may read contacts, but not this customer's: nothing at all.
    other = _mint(api, api.world.other_reseller, Role.ADMIN)
    assert (await api.gql(LOG, {"id": customer}, token=other)).data["organization"] is None
    assert (await api.gql(ENTRY, {"id": entry_id}, token=other)).data["node"] is None
