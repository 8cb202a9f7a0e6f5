"""The compiled paths never change an answer: generated queries, three executions, same data.

Three schemas are built: one with FastExecutor, one with graphql-core's stock executor, and one
with the compiled read path (graph/execution/compiled/: one JSON-building SQL statement per
root field, falling back to the executor for anything it does not cover). Every query runs
through all three over the same seeded database, each with its own fresh Context (same actor,
same request ID), extensions included. `data` must serialize to the same JSON (key order
included; the compiled path's database-built JSON is parsed back for that) and `errors` must
match in message, locations, path and extensions, in order. Queries come from three sources:

- our own, over the hot types: random selections of the Organization, Address, Contact,
  StatusChange and connection fields, with aliases, repeated (merged) fields, inline and named
  fragments, @include/@skip on literals and variables, `__typename`, `node(id:)` through the
  Node interface, paging variables, and callers that get UNAUTHENTICATED or FORBIDDEN;
- hypothesis-graphql over the printed schema (positive mode), for everything else;
- hand-written operations for the compiled path: every filter operator, sorting, both paging
  styles, empty pages, nulls, invisible and foreign IDs, and the requests it must refuse.

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
import orjson
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
COMPILED = build_schema(fast_executor=True, compiled_reads=True)

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
    exclude: frozenset[str] = frozenset()  # fields not to pick


@st.composite
def selection(draw: st.DrawFn, doc: Doc, type_name: str, depth: int) -> str:
    leaves, objects = TYPES[type_name]
    choices = [*leaves, "__typename"] + (list(objects) if depth < 4 else [])
    choices = [c for c in choices if c not in doc.exclude]
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


# Resolver fields: any of them sends the whole operation to the executor.
RESOLVED = frozenset({"formatted", "phoneFormatted", "history"})


@st.composite
def operations(
    draw: st.DrawFn, ids: list[str], compiled: bool = False
) -> tuple[str, dict[str, Any]]:
    doc = Doc(fragments=[], exclude=RESOLVED if compiled else frozenset())
    variables: dict[str, Any] = {}
    declared: list[str] = []
    roots = []
    for i in range(draw(st.integers(1, 2))):
        roots_ = ["organizations", "organization", "node", "nodes"] + (
            [] if compiled else ["viewer"]
        )
        root = draw(st.sampled_from(roots_))
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
    stock = await STOCK.execute(query, variables, await _context(settings_, who))
    expected = json.dumps(stock.data)
    errors = [e.formatted for e in stock.errors or []]
    for schema in (FAST, COMPILED):
        result = await schema.execute(query, variables, await _context(settings_, who))
        # orjson.dumps splices the compiled path's bytes; loading them back compares values.
        assert result.errors is None or stock.errors, result.errors
        assert json.dumps(orjson.loads(orjson.dumps(result.data))) == expected, query
        assert [e.formatted for e in result.errors or []] == errors, (query, result.errors)
        # Checked on its own too, so a mistake every path shared could not pass: no null where
        # the schema promises a value, and every enum leaf one of its type's names.
        assert malformed(STOCK._schema, query, orjson.loads(orjson.dumps(result.data))) == [], query
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


@pytest.mark.parametrize("compiled", [False, True], ids=["any", "compilable"])
@DIFF
@given(data=st.data())
async def test_generated_queries_answer_the_same_on_every_path(
    seeded: tuple[Api, list[str]], settings: Settings, data: st.DataObject, compiled: bool
) -> None:
    """`compilable`: only what the planner covers, so the compiled path answers most."""
    api, ids = seeded
    query, variables = data.draw(operations(ids, compiled=compiled), label="operation")
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
    compiled = await COMPILED.execute(query, {}, await _context(settings, _callers(api)[0]))
    assert _compiled(compiled.data)
    assert FAST.execution_context_class is FastExecutor
    from graph.execution.executor import _PLANS

    compiled = {key[0].name for key, plan in _PLANS.items() if plan is not None}
    assert {"Organization", "Address", "Contact"} <= compiled


ORG = """id kind status shortName fullName erpId registrationNumber taxId currency industry
  createdAt createdBy approvedAt approvedBy __typename
  primaryAddress { country city state line1 line2 postalCode __typename }
  primaryContact { firstName lastName role email phone }
  parent { id shortName status parent { id kind } }"""
LIST = f"""query L($f: OrganizationFilter, $s: [OrganizationSort!], $first: Int, $after: String,
    $last: Int, $before: String, $paging: OffsetPaging) {{
  organizations(filter: $f, sorting: $s, first: $first, after: $after, last: $last,
      before: $before, paging: $paging) {{
    totalCount countsByStatus {{ status count __typename }}
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor __typename }}
    edges {{ cursor __typename node {{ {ORG} }} }}
    nodes {{ id shortName }}
    __typename
  }}
}}"""
SHAPES = """query S($yes: Boolean!, $id: ID!) {
  a: organizations(paging: {limit: 2}) {
    nodes { ...F id @include(if: $yes) n: shortName @skip(if: $yes) ... on Node { id } }
    again: nodes { kind }
  }
  b: organization(id: $id) { ... on Organization { kind } ...F }
  c: node(id: $id) { __typename ... on StatusChange { comment } ...F }
  __typename
}
fragment F on Organization { status parent { __typename id } primaryAddress { city } }"""
NODES = (
    f"query N($ids: [ID!]!) {{ nodes(ids: $ids) {{ __typename ... on Organization {{ {ORG} }} }} }}"
)
ONE = f"query O($id: ID!) {{ organization(id: $id) {{ {ORG} }} node(id: $id) {{ id }} }}"
LATE = "2000-01-01T00:00:00+00:00", "2100-01-01T00:00:00+00:00"


def _filters(ids: list[str], reseller: str) -> list[dict[str, Any] | None]:
    """Every operator of the filter grammar at least once, and combinations."""
    orgs = ids[:6]
    between = {"lower": LATE[0], "upper": LATE[1]}
    return [
        None,
        {"status": {"eq": "ACTIVE"}},
        {"status": {"neq": "ACTIVE"}, "kind": {"in": ["CUSTOMER", "RESELLER"]}},
        {"status": {"in": ["PENDING_APPROVAL", "REJECTED"]}, "kind": {"notIn": ["DISTRIBUTOR"]}},
        {"status": {"notIn": ["ACTIVE"]}, "kind": {"neq": "RESELLER"}},
        {"kind": {"eq": "CUSTOMER"}},
        {"id": {"eq": orgs[0]}},
        {"id": {"in": [*orgs[:3], "not-an-id"]}, "parentId": {"neq": reseller}},
        {"id": {"notIn": orgs[:2]}, "parentId": {"eq": reseller}},
        {"id": {"in": []}},
        {"parentId": {"is": None}},
        {"parentId": {"isNot": None}, "erpId": {"is": None}},
        {"erpId": {"isNot": None}, "taxId": {"like": "NL%"}},
        {"parentId": {"in": [reseller]}},
        {"shortName": {"iLike": "%customer 00%"}},
        {"shortName": {"like": "Customer%"}, "fullName": {"notLike": "%1 B.V."}},
        {"shortName": {"notILike": "%CUSTOMER 001%"}, "erpId": {"neq": "ERP-002"}},
        {"fullName": {"eq": "Customer Number 003 B.V."}},
        {"registrationNumber": {"in": ["00000001", "00000002"]}, "erpId": {"notIn": ["ERP-001"]}},
        {"taxId": {"iLike": "nl%"}, "registrationNumber": {"is": None}},
        {"createdAt": {"gt": LATE[0], "lte": LATE[1]}},
        {"createdAt": {"gte": LATE[1]}},
        {"createdAt": {"lt": LATE[1], "between": between}},
        {"createdAt": {"notBetween": between}},
        {"search": "customer 00"},
        {"search": "  "},
        {"or": [{"status": {"eq": "ACTIVE"}}, {"kind": {"eq": "RESELLER"}}]},
        {"and": [{"kind": {"eq": "CUSTOMER"}}, {"or": [{"erpId": {"eq": "ERP-001"}}]}]},
        {"erpId": {"is": None, "isNot": None}},  # a contradiction: an error on both paths
    ]


PAGINGS: list[dict[str, Any]] = [
    {},
    {"first": 2},
    {"first": 2, "after": "cG9zaXRpb246MQ=="},
    {"first": 0},
    {"first": 3, "before": "cG9zaXRpb246Mg=="},
    {"last": 2},  # counts first: the normal path answers
    {"paging": {"limit": 3, "offset": 2}},
    {"paging": {"limit": 0}},
    {"paging": {"offset": 500}},  # an empty page past the end
    {"paging": {"limit": 1000}},  # clamped
    {"first": -1},  # an error on both paths
    {"after": "bm90LWEtY3Vyc29y"},  # an invalid cursor: an error on both paths
]
SORTINGS: list[Any] = [
    None,
    [{"field": "shortName", "direction": "DESC"}],
    [{"field": "status"}, {"field": "erpId", "direction": "DESC"}],
    [{"field": "createdAt", "direction": "DESC"}, {"field": "fullName"}],
]


def _compiled(data: Any) -> bool:
    return bool(data) and all(
        isinstance(v, orjson.Fragment) for k, v in data.items() if k != "__typename"
    )


async def test_hand_written_operations_answer_the_same_on_the_compiled_path(
    seeded: tuple[Api, list[str]], settings: Settings
) -> None:
    api, ids = seeded
    callers = _callers(api)
    change, missing = ids[-2], ids[-1]
    cases: list[tuple[str, dict[str, Any]]] = []
    for n, filter_ in enumerate(_filters(ids, api.world.reseller)):
        paging = PAGINGS[n % len(PAGINGS)]
        sorting = SORTINGS[n % len(SORTINGS)]
        cases.append((LIST, {"f": filter_, "s": sorting, **paging}))
    cases += [(LIST, {"s": SORTINGS[1], **paging}) for paging in PAGINGS]
    for id_ in [*ids, "not-an-id", global_id.encode("Country", missing)]:
        cases.append((ONE, {"id": id_}))
        cases.append((SHAPES, {"id": id_, "yes": id_ != change}))
    cases += [
        (NODES, {"ids": [*ids[:-2], missing, "garbage", ids[0]]}),
        (NODES, {"ids": []}),
        (NODES, {"ids": [ids[0], change]}),  # a status change: the normal path answers
        (NODES, {"ids": [ids[0]] * 101}),  # too many: an error on both paths
    ]
    compiled = 0
    for query, variables in cases:
        for who in callers:
            await assert_same(settings, query, variables, who)
            result = await COMPILED.execute(query, variables, await _context(settings, who))
            compiled += _compiled(result.data)
    # The compiled path must have answered most of them itself (else this proves nothing).
    assert compiled >= len(cases) * 2, compiled


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
