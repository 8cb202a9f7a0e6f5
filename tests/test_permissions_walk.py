"""Deny by default, checked by walking the schema rather than by listing fields by hand.

- Every root field refuses anonymous callers, except `__typename`, `viewer` (null) and
  introspection (while it is on).
- Every Mutation field declares the permission it needs; callers without it get FORBIDDEN
  and nothing is written.
- Every path from Query to personal data (a contact's name, email, phone) is found and tried:
  anonymous callers and tokens whose roles grant nothing never see a value.

A new root field, mutation or personal field is covered (or makes a test fail) automatically.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import (
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)
from graphql.type import GraphQLEnumType, GraphQLInputType, GraphQLOutputType

from graph.schema import build_schema
from tests.api import Api
from tests.builders import customer_input
from tests.queries import CREATE

SCHEMA: GraphQLSchema = build_schema()._schema
ANONYMOUS_ALLOWED = {"__typename", "viewer"}
MUTATION_PERMISSIONS = {
    "createCustomer": "CREATE_CUSTOMER",
    "approveCustomer": "APPROVE_CUSTOMER",
    "rejectCustomer": "REJECT_CUSTOMER",
    "updateCustomer": "UPDATE_CUSTOMER",
    "suspendCustomer": "APPROVE_CUSTOMER",
    "blockCustomer": "APPROVE_CUSTOMER",
    "reactivateCustomer": "APPROVE_CUSTOMER",
    "resubmitCustomer": "CREATE_CUSTOMER",
    "archiveCustomer": "APPROVE_CUSTOMER",
    "verifyTaxId": "CREATE_CUSTOMER",
    "importCustomers": "CREATE_CUSTOMER",
    "createWebhookEndpoint": "MANAGE_WEBHOOKS",
    "updateWebhookEndpoint": "MANAGE_WEBHOOKS",
    "deleteWebhookEndpoint": "MANAGE_WEBHOOKS",
    "rotateWebhookSecret": "MANAGE_WEBHOOKS",
    "sendTestWebhook": "MANAGE_WEBHOOKS",
    "replayWebhookDelivery": "MANAGE_WEBHOOKS",
}
# Personal data: the fields that say who a person is or how to reach them.
# NormalizedContact echoes validateCustomer's input, but it is still a person's data.
PERSONAL = {
    "Contact": {"firstName", "lastName", "email", "phone", "phoneFormatted"},
    "NormalizedContact": {"firstName", "lastName", "email", "phone"},
    # An audit entry's values: a contact's old and new name, email, phone among them.
    "FieldChange": {"oldValue", "newValue"},
}
_LOOKS_PERSONAL = re.compile(r"(?i)(email|phone|firstname|lastname|birth|mobile)")
PLACEHOLDER_ID = "T3JnYW5pemF0aW9uOjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA"


def _literal(type_: GraphQLInputType, id_value: str) -> str:
    """A valid GraphQL literal of `type_`, filling only required input fields."""
    if isinstance(type_, GraphQLNonNull):
        return _literal(type_.of_type, id_value)
    if isinstance(type_, GraphQLList):
        return f"[{_literal(type_.of_type, id_value)}]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        fields = [
            f"{name}: {_literal(f.type, id_value)}"
            for name, f in type_.fields.items()
            if isinstance(f.type, GraphQLNonNull)
        ]
        return "{" + ", ".join(fields) + "}"
    return {"ID": f'"{id_value}"', "Int": "1", "Float": "1.0", "Boolean": "true"}.get(
        type_.name, '"x"'
    )


def _arguments(field: Any, id_value: str) -> str:
    required = [
        f"{name}: {_literal(arg.type, id_value)}"
        for name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull)
    ]
    return f"({', '.join(required)})" if required else ""


def _leaf(type_: GraphQLOutputType) -> str:
    named = get_named_type(type_)
    return (
        ""
        if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType)
        else " { __typename }"
    )


def _root_calls(root: GraphQLObjectType, keyword: str) -> Iterator[tuple[str, str]]:
    for name, field in root.fields.items():
        yield name, f"{keyword} {{ {name}{_arguments(field, PLACEHOLDER_ID)}{_leaf(field.type)} }}"


def _possible(type_: GraphQLNamedType) -> list[GraphQLObjectType]:
    if isinstance(type_, GraphQLObjectType):
        return [type_]
    if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
        return list(SCHEMA.get_possible_types(type_))
    return []


def _personal_paths(id_value: str, max_depth: int = 6) -> list[str]:
    """Queries reaching every personal field, one per distinct path (no type twice on a path)."""
    found: list[str] = []

    def walk(type_: GraphQLNamedType, seen: frozenset[str], depth: int) -> list[str]:
        selections: list[str] = []
        for concrete in _possible(type_):
            if concrete.name in PERSONAL:
                selections.append(
                    f"... on {concrete.name} {{ {' '.join(sorted(PERSONAL[concrete.name]))} }}"
                )
                continue
            if concrete.name in seen or depth >= max_depth:
                continue
            for name, field in concrete.fields.items():
                inner = get_named_type(field.type)
                call = f"{name}{_arguments(field, id_value)}"
                for sub in walk(inner, seen | {concrete.name}, depth + 1):
                    selections.append(f"... on {concrete.name} {{ {call} {{ {sub} }} }}")
        return selections

    query = SCHEMA.query_type
    assert query is not None
    for name, field in query.fields.items():
        for sub in walk(get_named_type(field.type), frozenset({"Query"}), 1):
            found.append(f"{{ {name}{_arguments(field, id_value)} {{ {sub} }} }}")
    return found


def _values(data: object) -> Iterator[object]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _values(value)
    elif isinstance(data, list):
        for value in data:
            yield from _values(value)
    else:
        yield data


def test_every_personal_looking_field_is_registered() -> None:
    for type_ in SCHEMA.type_map.values():
        if type_.name.startswith("__") or not isinstance(type_, GraphQLObjectType):
            continue
        for name in type_.fields:
            if _LOOKS_PERSONAL.search(name):
                assert name in PERSONAL.get(type_.name, set()), (
                    f"{type_.name}.{name} looks like personal data: add it to PERSONAL"
                )


def test_every_mutation_declares_its_permission() -> None:
    assert SCHEMA.mutation_type is not None
    assert set(SCHEMA.mutation_type.fields) == set(MUTATION_PERMISSIONS)


@pytest.mark.parametrize(
    ("name", "query"),
    [*_root_calls(SCHEMA.query_type, "query"), *_root_calls(SCHEMA.mutation_type, "mutation")],  # type: ignore[arg-type]
)
async def test_anonymous_callers_are_refused_everywhere(api: Api, name: str, query: str) -> None:
    body = (await api.post(query)).json()
    if name in ANONYMOUS_ALLOWED:
        assert "errors" not in body, body
        assert body["data"][name] in {None, "Query", "Mutation"}
        return
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body
    assert body["data"] is None or body["data"].get(name) is None


async def test_introspection_answers_anonymously(api: Api) -> None:
    result = await api.gql('{ __schema { types { name } } __type(name: "Query") { name } }')
    assert result.data["__type"] == {"name": "Query"}


async def _pending_customer(api: Api) -> str:
    token = api.token(api.world.reseller, "ADMIN")
    created = await api.gql(CREATE, {"input": customer_input()}, token=token)
    return created.data["createCustomer"]["customer"]["id"]


async def _status(api: Api, id: str) -> str:
    token = api.token(api.world.distributor, "ADMIN")
    found = await api.gql(f'{{ organization(id: "{id}") {{ status }} }}', token=token)
    return found.data["organization"]["status"]


@pytest.mark.parametrize("mutation", sorted(MUTATION_PERMISSIONS))
async def test_mutations_need_their_permission(api: Api, mutation: str) -> None:
    customer = await _pending_customer(api)
    permission = MUTATION_PERMISSIONS[mutation]
    inputs = {
        "createCustomer": customer_input(erpId="999", idempotencyKey="walk"),
        "approveCustomer": {"id": customer},
        "rejectCustomer": {"id": customer, "reason": "walk"},
        "updateCustomer": {"id": customer, "expectedVersion": 1, "shortName": "walk"},
        "suspendCustomer": {"id": customer, "reason": "walk"},
        "blockCustomer": {"id": customer, "reason": "walk"},
        "reactivateCustomer": {"id": customer},
        "resubmitCustomer": {"id": customer},
        "archiveCustomer": {"id": customer, "reason": "walk"},
        "verifyTaxId": {"id": customer},
        "importCustomers": {"file": "not a file", "dryRun": True},
        # IDs that name nothing: the permission is checked before anything is looked up.
        "createWebhookEndpoint": {
            "url": "https://example.com/hook",
            "events": ["CUSTOMER_CREATED"],
        },
        "updateWebhookEndpoint": {"id": PLACEHOLDER_ID, "description": "walk"},
        "deleteWebhookEndpoint": {"id": PLACEHOLDER_ID},
        "rotateWebhookSecret": {"id": PLACEHOLDER_ID},
        "sendTestWebhook": {"id": PLACEHOLDER_ID},
        "replayWebhookDelivery": {"id": PLACEHOLDER_ID},
    }
    field = SCHEMA.mutation_type.fields[mutation]  # type: ignore[union-attr]
    input_type = get_named_type(field.args["input"].type).name
    document = (
        f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ errors {{ code }} }} }}"
    )
    for roles in [(), ("VIEWER",), ("ACCOUNT_MANAGER",), ("ADMIN",)]:
        for org in [api.world.reseller, api.world.distributor]:
            token = api.token(org, *roles) if roles else _mint_without_roles(api, org)
            viewer = await api.gql("{ viewer { permissions } }", token=token)
            if permission in viewer.data["viewer"]["permissions"]:
                continue
            body = (await api.post(document, {"input": inputs[mutation]}, token=token)).json()
            codes = [e["extensions"]["code"] for e in body.get("errors", [])]
            payload = (body.get("data") or {}).get(mutation) or {}
            codes += [e["code"] for e in payload.get("errors", [])]
            assert "FORBIDDEN" in codes, (roles, org, body)
    assert await _status(api, customer) == "PENDING_APPROVAL"
    listed = await api.gql(
        "{ organizations(filter: {kind: {eq: CUSTOMER}}) { totalCount } }",
        token=api.token(api.world.distributor, "ADMIN"),
    )
    assert listed.data["organizations"]["totalCount"] == 1
    for org in [api.world.reseller, api.world.distributor]:
        endpoints = await api.gql("{ webhookEndpoints { id } }", token=api.token(org, "ADMIN"))
        assert endpoints.data["webhookEndpoints"] == []


def _mint_without_roles(api: Api, org: str) -> str:
    from uuid import UUID

    from resolvers import global_id

    org_id = global_id.decode_uuid(org, "Organization")
    assert isinstance(org_id, UUID)
    return api.tokens.mint(subject="nobody", org_id=org_id, roles=[])


async def test_personal_data_needs_read_permission_on_every_path(api: Api) -> None:
    customer = await _pending_customer(api)
    # A replaced contact: the old person lives on in the audit log's values.
    new_contact = {
        "firstName": "Piet",
        "lastName": "Pietersen",
        "role": "CFO",
        "email": "piet@copaco.nl",
        "phone": "+31402506001",
    }
    replaced = await api.gql(
        "mutation($input: UpdateCustomerInput!) "
        "{ updateCustomer(input: $input) { errors { code } } }",
        {"input": {"id": customer, "expectedVersion": 1, "primaryContact": new_contact}},
        token=api.token(api.world.reseller, "ADMIN"),
    )
    assert replaced.data["updateCustomer"]["errors"] == []
    paths = _personal_paths(customer)
    assert len(paths) >= 5, paths  # organization, organizations (nodes, edges), node, nodes, ...
    secrets = {"Jan", "Jansen", "Jan@copaco.nl", "+31402506000"}  # the old contact, audited
    secrets |= {"Piet", "Pietersen", "piet@copaco.nl", "+31402506001", "+31 40 250 6001"}
    admin = api.token(api.world.distributor, "ADMIN")
    seen_by_admin: set[object] = set()
    for query in paths:
        body = (await api.post(query, token=admin)).json()
        assert "errors" not in body, (query, body)  # the walk builds valid queries
        seen_by_admin |= set(_values(body["data"])) & secrets
        for token in [None, _mint_without_roles(api, api.world.distributor)]:
            refused = (await api.post(query, token=token)).json()
            leaked = set(_values(refused.get("data"))) & secrets
            assert not leaked, (query, token is None, refused)
            codes = {e["extensions"]["code"] for e in refused.get("errors", [])}
            assert codes <= {"UNAUTHENTICATED", "FORBIDDEN"}, refused
    assert seen_by_admin == secrets  # the paths really reach the data
