"""The compiled executor never changes an answer: generated queries, both executors, same data.

Two schemas are built, one with FastExecutor and one with graphql-core's stock executor, and
every generated query runs through both over the same seeded database, each with its own fresh
Context (same actor, same request ID), extensions included. `data` must serialize to the same
JSON (key order included) and `errors` must match in message, locations, path and extensions,
in order. Queries come from two generators:

- our own, over the hot types: random selections of the Organization, Address, Contact,
  StatusChange and connection fields, with aliases, repeated (merged) fields, inline and named
  fragments, @include/@skip on literals and variables, `__typename`, `node(id:)` through the
  Node interface, paging variables, and callers that get UNAUTHENTICATED or FORBIDDEN;
- hypothesis-graphql over the printed schema (positive mode), for everything else.

The data varies as much as the shapes (see `seeded`): every status and industry, nulls in
every nullable column, lists longer than a page, another reseller's invisible customers, and
callers of every role. Each answer is also checked against the schema on its own
(`malformed`): no null where a value is promised, every enum leaf a name of its type.

Examples are derandomized and bounded (PORTAL_DIFF_EXAMPLES, default 120 and 40).
Run it, on SQLite and PostgreSQL, before upgrading graphql-core or Strawberry.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import hypothesis_graphql as hg
import pytest
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    is_enum_type,
    is_list_type,
    is_non_null_type,
    parse,
)
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes
from starlette.requests import Request
from starlette.responses import Response

from graph.core.context import Context
from graph.execution.executor import FastExecutor
from graph.schema import build_schema, print_schema
from models import Address, Industry, Organization
from resolvers import global_id
from resolvers.actors import Role, load_actor
from settings import Settings
from tests.api import Api
from tests.builders import numbered
from tests.conftest import ApiFactory
from tests.queries import APPROVE, CREATE, REJECT

EXAMPLES = int(os.environ.get("PORTAL_DIFF_EXAMPLES", "120"))
DIFF = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LONG = 24  # customers of the reseller: longer than most pages the generator asks for
FAST = build_schema(fast_executor=True)
STOCK = build_schema(fast_executor=False)

# The hot types: leaves and object fields (name -> type) the generator picks from.
TYPES: dict[str, tuple[list[str], dict[str, str]]] = {
    "Organization": (
        "id kind status shortName fullName erpId registrationNumber taxId currency industry "
        "createdAt createdBy approvedAt approvedBy".split(),
        {
            "primaryAddress": "Address",
            "primaryContact": "Contact",
            "parent": "Organization",
            "history": "StatusChangeConnection",
        },
    ),
    "Address": ("country city state line1 line2 postalCode formatted".split(), {}),
    "Contact": ("firstName lastName role email phone phoneFormatted".split(), {}),
    "StatusChange": (
        "id fromStatus toStatus comment occurredAt requestId".split(),
        {"actor": "Actor"},
    ),
    "Actor": (["subject"], {"organization": "Organization"}),
    "StatusChangeConnection": (
        ["totalCount"],
        {"nodes": "StatusChange", "edges": "StatusChangeEdge", "pageInfo": "PageInfo"},
    ),
    "StatusChangeEdge": (["cursor"], {"node": "StatusChange"}),
    "OrganizationConnection": (
        ["totalCount"],
        {
            "nodes": "Organization",
            "edges": "OrganizationEdge",
            "pageInfo": "PageInfo",
            "countsByStatus": "StatusCount",
        },
    ),
    "OrganizationEdge": (["cursor"], {"node": "Organization"}),
    "PageInfo": ("hasNextPage hasPreviousPage startCursor endCursor".split(), {}),
    "StatusCount": (["status", "count"], {}),
}
DIRECTIVES = ["@include(if: $yes)", "@skip(if: $yes)", "@include(if: false)", "@skip(if: false)"]


@dataclass
class Doc:
    """A document being built: fragments and whether `$yes` is used."""

    fragments: list[str]
    uses_yes: bool = False
    aliases: int = 0


@st.composite
def selection(draw: st.DrawFn, doc: Doc, type_name: str, depth: int) -> str:
    leaves, objects = TYPES[type_name]
    choices = [*leaves, "__typename"] + (list(objects) if depth < 4 else [])
    parts = []
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(choices))
        kind = draw(st.sampled_from(["plain"] * 6 + ["alias", "directive", "inline", "named"]))
        if kind == "alias" and doc.aliases < 6:
            doc.aliases += 1
            field = f"{name}{doc.aliases}: {name}"
        else:
            field = name
        if kind == "directive":
            directive = draw(st.sampled_from(DIRECTIVES))
            doc.uses_yes |= "$yes" in directive
            field += f" {directive}"
        if name in objects:
            field += " { " + draw(selection(doc, objects[name], depth + 1)) + " }"
        if kind == "inline":
            condition = draw(st.sampled_from([f"on {type_name} ", ""]))
            field = f"... {condition}{{ {field} }}"
        elif kind == "named" and len(doc.fragments) < 4:
            fragment = f"F{len(doc.fragments)}"
            doc.fragments.append(f"fragment {fragment} on {type_name} {{ {field} }}")
            field = f"...{fragment}"
        parts.append(field)
    return " ".join(parts)


@dataclass(frozen=True)
class World:
    ids: list[str]  # organizations and status changes, plus one that does not exist
    tokens: dict[str, tuple[str, Any]]


@st.composite
def operations(draw: st.DrawFn, ids: list[str]) -> tuple[str, dict[str, Any]]:
    doc = Doc(fragments=[])
    variables: dict[str, Any] = {}
    declared: list[str] = []
    roots = []
    for i in range(draw(st.integers(1, 2))):
        root = draw(st.sampled_from(["organizations", "organization", "node", "nodes", "viewer"]))
        alias = f"r{i}: " if i else ""
        if root == "organizations":
            variables["limit"] = draw(st.sampled_from([None, 0, 1, 3, 50]))
            variables["offset"] = draw(st.integers(0, 4))
            status = draw(st.sampled_from(["", "filter: {status: {eq: PENDING_APPROVAL}}, "]))
            declared += ["$limit: Int", "$offset: Int"]
            body = draw(selection(doc, "OrganizationConnection", 1))
            args = f"({status}paging: {{limit: $limit, offset: $offset}})"
            roots.append(f"{alias}organizations{args} {{ {body} }}")
        elif root in {"organization", "node"}:
            var = f"id{i}"
            variables[var] = draw(st.sampled_from(ids))
            declared.append(f"${var}: ID!")
            body = draw(selection(doc, "Organization", 1))
            if root == "node":
                change = draw(selection(doc, "StatusChange", 1))
                body = (
                    f"__typename ... on Organization {{ {body} }} "
                    f"... on StatusChange {{ {change} }}"
                )
            roots.append(f"{alias}{root}(id: ${var}) {{ {body} }}")
        elif root == "nodes":
            body = draw(selection(doc, "Organization", 1))
            picked = draw(st.lists(st.sampled_from(ids), max_size=4))
            roots.append(
                f"{alias}nodes(ids: {json.dumps(picked)}) {{ ... on Organization {{ {body} }} }}"
            )
        else:
            body = draw(selection(doc, "Organization", 2))
            roots.append(f"{alias}viewer {{ subject roles permissions organization {{ {body} }} }}")
    if doc.uses_yes:
        declared.append("$yes: Boolean!")
        variables["yes"] = draw(st.booleans())
    signature = f"({', '.join(dict.fromkeys(declared))})" if declared else ""
    query = f"query Q{signature} {{ {' '.join(roots)} }}\n" + "\n".join(doc.fragments)
    return query, {k: v for k, v in variables.items() if f"${k}" in query}


async def _context(settings_: Settings, who: tuple[str, Any] | None) -> Context:
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/graphql",
        "headers": [],
        "query_string": b"",
    }
    actor = None
    if who is not None:
        subject, (org_id, roles) = who
        actor = await load_actor(subject=subject, org_id=org_id, roles=frozenset(roles))
    return Context(
        request=Request(scope),
        response=Response(),
        settings=settings_,
        request_id="differential",
        actor=actor,
    )


async def assert_same(
    settings_: Settings, query: str, variables: dict[str, Any], who: Any
) -> dict[str, Any]:
    fast = await FAST.execute(query, variables, await _context(settings_, who))
    stock = await STOCK.execute(query, variables, await _context(settings_, who))
    assert json.dumps(fast.data) == json.dumps(stock.data), query
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in stock.errors or []], (
        query
    )
    # Checked on its own too, so a mistake both executors shared could not pass: no null where
    # the schema promises a value, and every enum leaf one of its type's names.
    assert malformed(STOCK._schema, query, fast.data) == [], query
    return {"data": stock.data, "errors": stock.errors}


def malformed(schema: GraphQLSchema, query: str, data: dict[str, Any] | None) -> list[str]:
    """Where `data` breaks the schema's promises for `query`'s selections."""
    document = parse(query)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    problems: list[str] = []

    def fields(parent: Any, selections: SelectionSetNode) -> Iterator[tuple[str, Any, Any]]:
        for node in selections.selections:
            if isinstance(node, FieldNode):
                definition = getattr(parent, "fields", {}).get(node.name.value)
                if definition is not None:
                    key = (node.alias or node.name).value
                    yield key, definition.type, node.selection_set
                continue
            fragment = node if isinstance(node, InlineFragmentNode) else fragments[node.name.value]
            condition = fragment.type_condition
            inner = schema.get_type(condition.name.value) if condition else parent
            yield from fields(inner, fragment.selection_set)

    def check(type_: Any, selections: Any, value: Any, path: str) -> None:
        if is_non_null_type(type_):
            if value is None:
                problems.append(f"null at {path}, declared {type_}")
                return
            type_ = type_.of_type
        if value is None:
            return
        if is_list_type(type_):
            for i, item in enumerate(value):
                check(type_.of_type, selections, item, f"{path}.{i}")
        elif is_enum_type(type_):
            if value not in type_.values:
                problems.append(f"{value!r} at {path} is not a name of {type_}")
        elif selections is not None:
            for key, field_type, inner in fields(type_, selections):
                if key in value:
                    check(field_type, inner, value[key], f"{path}.{key}")

    if data is not None:
        check(schema.get_root_type(operation.operation), operation.selection_set, data, "data")
    return problems


@pytest.fixture
async def seeded(api_factory: ApiFactory) -> AsyncIterator[tuple[Api, list[str]]]:
    """Data that varies as much as the shapes: customers in every status and every industry,
    nulls wherever the schema allows one (ERP ID, industry, state, line 2, postal code,
    approval, comment), lists longer than a page of the generator's small limits, and another
    reseller's customers, invisible to the reseller's callers."""
    async with api_factory() as api:
        admin = api.token(api.world.reseller, "ADMIN")
        industries = list(Industry)
        ids = []
        for n in range(LONG):
            form = numbered(n) | {"industry": industries[n % len(industries)].value}
            if n % 2:
                form["primaryAddress"]["line2"] = "Unit 4"
            payload = (await api.gql(CREATE, {"input": form}, token=admin)).data
            ids.append(payload["createCustomer"]["customer"]["id"])
        other = api.token(api.world.other_reseller, "ADMIN")
        hidden = []
        for n in range(LONG, LONG + 3):
            payload = (await api.gql(CREATE, {"input": numbered(n)}, token=other)).data
            hidden.append(payload["createCustomer"]["customer"]["id"])
        await api.gql(APPROVE, {"input": {"id": ids[0], "comment": "ok"}}, token=admin)
        await api.gql(APPROVE, {"input": {"id": ids[1]}}, token=admin)
        await api.gql(REJECT, {"input": {"id": ids[2], "reason": "no"}}, token=admin)
        await api.gql(APPROVE, {"input": {"id": hidden[0]}}, token=other)
        # Nulls no form leaves behind, written directly: what older rows or imports may hold.
        await Organization.filter(id=_uuid(ids[3])).update(
            erp_id=None, registration_number=None, tax_id=None, currency=None, industry=None
        )
        await Address.filter(organization_id=_uuid(ids[4])).update(postal_code=None, state="NB")
        history = await api.gql(
            "query($id: ID!) { organization(id: $id) { history { nodes { id } } } }",
            {"id": ids[0]},
            token=admin,
        )
        changes = [n["id"] for n in history.data["organization"]["history"]["nodes"]]
        world = api.world
        missing = global_id.encode("Organization", "00000000-0000-0000-0000-000000000000")
        yield (
            api,
            [
                *ids[:8],
                ids[-1],
                *hidden,
                world.distributor,
                world.reseller,
                world.other_reseller,
                *changes,
                missing,
            ],
        )


def _uuid(gid: str) -> Any:
    return global_id.decode_uuid(gid, "Organization")


def _callers(api: Api) -> list[Any]:
    w = api.world
    return [
        ("dist-admin", (_uuid(w.distributor), [Role.ADMIN])),
        ("reseller-admin", (_uuid(w.reseller), [Role.ADMIN])),
        ("reseller-viewer", (_uuid(w.reseller), [Role.VIEWER])),
        ("reseller-manager", (_uuid(w.reseller), [Role.ACCOUNT_MANAGER])),
        ("other-admin", (_uuid(w.other_reseller), [Role.ADMIN, Role.VIEWER])),
        ("no-roles", (_uuid(w.reseller), [])),  # FORBIDDEN
        None,  # UNAUTHENTICATED
    ]


@DIFF
@given(data=st.data())
async def test_generated_queries_answer_the_same_on_both_executors(
    seeded: tuple[Api, list[str]], settings: Settings, data: st.DataObject
) -> None:
    api, ids = seeded
    query, variables = data.draw(operations(ids), label="operation")
    who = data.draw(st.sampled_from(_callers(api)), label="caller")
    await assert_same(settings, query, variables, who)


SCALARS = {
    "DateTime": st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat()))
}


@hypothesis_settings(
    max_examples=max(1, EXAMPLES // 3),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=hg.queries(print_schema(), custom_scalars=SCALARS))
async def test_schema_wide_generated_queries_answer_the_same(
    seeded: tuple[Api, list[str]], settings: Settings, query: str
) -> None:
    api, _ = seeded
    await assert_same(settings, query, {}, _callers(api)[1])


async def test_the_list_of_the_benchmark_takes_the_compiled_path(
    seeded: tuple[Api, list[str]], settings: Settings
) -> None:
    api, _ = seeded
    query = """{ organizations(paging: {limit: 50, offset: 0}) { nodes { id kind status shortName
      fullName erpId registrationNumber taxId currency industry createdAt
      primaryAddress { country city state line1 line2 postalCode }
      primaryContact { firstName lastName role email phone } } } }"""
    answer = await assert_same(settings, query, {}, _callers(api)[0])
    # Every customer (both resellers'), the distributor and the two resellers.
    assert len(answer["data"]["organizations"]["nodes"]) == LONG + 3 + 3
    assert not answer["errors"]
    assert FAST.execution_context_class is FastExecutor
    from graph.execution.executor import _PLANS

    compiled = {key[0].name for key, plan in _PLANS.items() if plan is not None}
    assert {"Organization", "Address", "Contact"} <= compiled


def test_the_answer_check_finds_a_null_and_a_value_sent_for_a_name() -> None:
    query = "query { viewer { s: subject roles ... on Viewer { permissions } } }"
    good = {"viewer": {"s": "a", "roles": ["ADMIN"], "permissions": ["READ"]}}
    assert malformed(STOCK._schema, query, good) == []
    bad = {"viewer": {"s": None, "roles": ["admin"], "permissions": [None]}}
    assert malformed(STOCK._schema, query, bad) == [
        "null at data.viewer.s, declared String!",
        "'admin' at data.viewer.roles.0 is not a name of Role",
        "null at data.viewer.permissions.0, declared Permission!",
    ]
