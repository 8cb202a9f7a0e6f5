"""Runs a plan: the request's arguments and actor fill the holes, one statement per root field.

Arguments are coerced and converted exactly as for the resolvers (graphql-core's coercion,
Strawberry's conversion, then the same `to_filter`/`to_sorting`/`window` the `organizations`
resolver calls), and the page, count and per-status queries are Tortoise's own SQL for
`organizations.scoped(actor, filter)`, so filters and tenancy (`visible()`) are the normal
path's by construction. Whatever would answer an error on the normal path (a bad cursor, a
negative size, too many IDs, `last` without `first`) returns None: the normal path runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLEnumType, GraphQLError, GraphQLSchema
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.types.arguments import convert_arguments
from tortoise.functions import Count

from graph.core.errors import BadUserInput
from graph.core.paging import window
from graph.execution.compiled.dialect import Params, literal
from graph.execution.compiled.planner import VISIBLE, Root
from resolvers import global_id, organizations
from resolvers.actors import Actor
from resolvers.listing import Filter, Sort
from resolvers.tenancy import visible_sql

_DOLLAR = re.compile(r"\$(\d+)")
_MAX_CACHED = 512
# (field, filter, sorting) -> converted arguments; (query kind, actor, filter, order) -> SQL
_CONVERTED: dict[tuple[Any, ...], dict[str, Any]] = {}
_SQL: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}


class Refused(Exception):
    """This request takes the normal path (it would answer an error there, or needs more)."""


def _tortoise_sql(query: Any) -> tuple[str, list[Any]]:
    """The SQL and parameters Tortoise would send for `query` (a QuerySet, values or count)."""
    query._choose_db_if_not_chosen()
    query._make_query()
    sql, values = query.query.get_parameterized_sql()
    return sql, list(values)


def _visibility(actor: Actor, params: Params) -> str:
    """resolvers.tenancy's one rule in its SQL rendering, numbered into this statement's
    parameters (lists, counts and per-status counts use its ORM rendering, through
    `organizations.scoped`)."""
    first = len(params.values) + 1
    condition, values = visible_sql(actor, first)
    params.values.extend(params.dialect.argument(v) for v in values)
    if not params.dialect.postgres:
        condition = _DOLLAR.sub(r"?\1", condition)
    return condition


def finish(sql: str, actor: Actor, params: Params) -> str:
    if VISIBLE in sql:
        sql = sql.replace(VISIBLE, _visibility(actor, params))
    return sql


def arguments(root: Root, schema: Any, variables: VariableValues) -> dict[str, Any]:
    """The root field's arguments as its resolver receives them (Python names, input types).

    Plain values (IDs, sizes, cursors, offset paging) need no conversion; `filter` and
    `sorting` go through Strawberry's, which resolves type annotations on every call
    (a tenth of a list request's CPU), so its result is kept per argument value."""
    assert root.field_def is not None
    try:
        raw = get_argument_values(root.field_def, root.node, variables)
    except GraphQLError as e:
        raise Refused from e
    if root.name != "organizations":
        return raw
    args = dict(raw)
    key = (id(root.field_def), repr(raw.get("filter")), repr(raw.get("sorting")))
    converted = _CONVERTED.get(key)
    if converted is None:
        definition = root.field_def.extensions["strawberry-definition"]
        wanted = [a for a in definition.arguments if a.python_name in {"filter", "sorting"}]
        try:
            converted = convert_arguments(
                {"filter": raw.get("filter"), "sorting": raw.get("sorting")},
                wanted,
                scalar_registry=schema.schema_converter.scalar_registry,
                config=schema.config,
            )
        except (GraphQLError, ValueError, TypeError, KeyError) as e:
            raise Refused from e
        _bounded(_CONVERTED)[key] = converted
    args.update(converted)
    return args


def _bounded(cache: dict[Any, Any]) -> dict[Any, Any]:
    if len(cache) >= _MAX_CACHED:
        del cache[next(iter(cache))]
    return cache


def _cached_sql(key: tuple[Any, ...], make: Callable[[], Any]) -> tuple[str, list[Any]]:
    """Tortoise's SQL for a query, kept per (kind, visibility, filter, order): building it
    costs more CPU than PostgreSQL spends running the whole statement."""
    found = _SQL.get(key)
    if found is None:
        found = _bounded(_SQL)[key] = _tortoise_sql(make())
    return found


def _actor_key(actor: Actor, params: Params) -> tuple[Any, ...]:
    """What visible() depends on, and the dialect Tortoise wrote for."""
    return params.dialect.postgres, actor.org_kind, actor.org_id, tuple(actor.org_ancestors)


@dataclass(frozen=True)
class ListGrammar:
    """The domain's own conversions of the list arguments (graph.organizations.filters
    registers them: execution imports no domain)."""

    to_filter: Callable[..., Filter | None]
    to_sorting: Callable[[Any], list[Sort]]


_GRAMMAR: list[ListGrammar] = []


def use_list_grammar(grammar: ListGrammar) -> None:
    _GRAMMAR[:] = [grammar]


class _Lazy:
    """An integer parameter that joins the statement when its placeholder is first written."""

    def __init__(self, params: Params, value: int) -> None:
        self.params, self.value, self.placeholder = params, value, ""

    def __str__(self) -> str:
        if not self.placeholder:
            self.placeholder = self.params.dialect.integer(self.params.add(self.value))
        return self.placeholder


async def _no_total() -> int:
    raise Refused("`last` without `first` counts first")


async def connection(
    root: Root,
    args: Mapping[str, Any],
    actor: Actor,
    max_page_size: int,
    params: Params,
    gql: GraphQLSchema,
) -> str:
    d = params.dialect
    if not _GRAMMAR:
        raise Refused("no list grammar registered")
    grammar = _GRAMMAR[0]
    filter_arg, paging = args.get("filter"), args.get("paging") or {}
    try:
        domain_filter = grammar.to_filter(filter_arg)
        counts_filter = grammar.to_filter(filter_arg, drop_status=True)
        sorting = grammar.to_sorting(args.get("sorting"))
        bounds = await window(
            first=args.get("first"),
            after=args.get("after"),
            last=args.get("last"),
            before=args.get("before"),
            limit=paging.get("limit"),
            offset=paging.get("offset"),
            max_size=max_page_size,
            total=_no_total,
        )
    except (BadUserInput, GraphQLError) as e:
        raise Refused from e
    try:
        order = organizations.order(sorting)
    except ValueError as e:
        raise Refused("sort field") from e
    dialect = "postgres" if d.postgres else "sqlite"
    visibility, filter_key = _actor_key(actor, params), repr(domain_filter)
    cte = ""
    # A statement must use every parameter it is given: each one is added where first used.
    off, lim = _Lazy(params, bounds.offset), _Lazy(params, bounds.limit)
    if any(part in {"nodes", "edges", "pageInfo"} for _, part, _ in root.connection):
        ordering = tuple(("-" if desc else "") + column for column, desc in order)
        page = _cached_sql(
            ("page", visibility, filter_key, ordering),
            lambda: organizations.ordered(
                organizations.scoped(actor, domain_filter), order, dialect
            ).values("id"),
        )
        # One row more than the page tells whether there is a next one.
        size = d.integer(params.add(bounds.limit + 1))
        page_sql = f"{params.splice(*page)} LIMIT {size} OFFSET {off}"
        by = ", ".join(
            f"{organizations.sort_expression(column, dialect, 'o')}{' DESC' if desc else ''}"
            for column, desc in order
        )
        # The page's ids in Tortoise's order; `n` is each row's place in it (0-based).
        cte = (
            f"WITH page AS ({page_sql}), r AS (SELECT o.*, row_number() OVER (ORDER BY {by}) - 1"
            " AS n FROM organization o JOIN page ON page.id = o.id) "
        )

    def shown() -> str:
        return f"FROM r WHERE r.n < {lim}"

    def count_shown() -> str:
        return f"(SELECT count(*) {shown()})"

    pairs: list[tuple[str, str]] = []
    for key, part, spec in root.connection:
        if part == "typename":
            pairs.append((key, literal(spec)))
        elif part == "nodes":
            pairs.append((key, d.array(spec, shown(), "r.n")))
        elif part == "edges":
            edge = []
            for k, name, json in spec:
                if name == "cursor":
                    edge.append((k, d.cursor(f"{off} + r.n")))
                elif name == "__typename":
                    edge.append((k, literal("OrganizationEdge")))
                else:
                    edge.append((k, json))
            pairs.append((key, d.array(d.obj(edge), shown(), "r.n")))
        elif part == "pageInfo":
            values: dict[str, Callable[[], str]] = {
                "hasNextPage": lambda: d.boolean(f"(SELECT count(*) FROM r) > {lim}"),
                "hasPreviousPage": lambda: d.boolean(f"{off} > 0"),
                "startCursor": lambda: (
                    f"CASE WHEN {count_shown()} > 0 THEN {d.cursor(str(off))} END"
                ),
                "endCursor": lambda: (
                    f"CASE WHEN {count_shown()} > 0 THEN "
                    f"{d.cursor(f'{off} + {count_shown()} - 1')} END"
                ),
                "__typename": lambda: literal("PageInfo"),
            }
            pairs.append((key, d.obj([(k, values[name]()) for k, name in spec])))
        elif part == "totalCount":
            count = _cached_sql(
                ("count", visibility, filter_key),
                lambda: organizations.scoped(actor, domain_filter).count(),
            )
            pairs.append((key, f"({params.splice(*count)})"))
        elif part == "countsByStatus":
            # The tabs of a list that names ARCHIVED count archived customers too, as on
            # the normal path (the counts' own filter no longer has the status in it).
            archived = organizations.names_archived(domain_filter)
            pairs.append((key, _counts(spec, actor, counts_filter, archived, params, gql)))
    return f"{cte}SELECT {d.body(d.obj(pairs))}"


def _counts(
    spec: list[tuple[str, str]],
    actor: Actor,
    filter_: Any,
    archived: bool,
    params: Params,
    gql: GraphQLSchema,
) -> str:
    """Every status of the enum, in its order, with its count (0 when none match)."""
    d = params.dialect
    grouped = _cached_sql(
        ("counts", _actor_key(actor, params), repr(filter_), archived),
        lambda: (
            organizations.scoped(actor, filter_, archived=archived)
            .annotate(n=Count("id"))
            .group_by("status")
            .values("status", "n")
        ),
    )
    grouped_sql = params.splice(*grouped)
    enum = gql.get_type("OrganizationStatus")
    assert isinstance(enum, GraphQLEnumType)
    statuses = " UNION ALL ".join(
        f"SELECT {literal(str(getattr(v.value, 'value', v.value)))} AS v, {literal(name)} AS "
        f"name, {i} AS i"
        for i, (name, v) in enumerate(enum.values.items())
    )
    values = {"status": "s.name", "count": "coalesce(c.n, 0)", "__typename": literal("StatusCount")}
    element = d.obj([(k, values[name]) for k, name in spec])
    source = f"FROM ({statuses}) s LEFT JOIN ({grouped_sql}) c ON c.status = s.v"
    return d.array(element, source, "s.i")


def organization(root: Root, id_: str, node: bool, params: Params) -> str | None:
    """One organization by global ID; None: the answer is null without asking the database."""
    d = params.dialect
    decoded = global_id.decode(id_)
    if decoded is None:
        return None
    type_name, uuid = decoded
    if type_name != "Organization":
        # Another node type (a status change, an import): graphql-core's loaders answer it.
        if node:
            raise Refused(f"node() of a {type_name}")
        return None
    p = params.add(d.argument(uuid))
    one = d.sub(f"SELECT {root.json} FROM organization t WHERE t.id = {p} AND {VISIBLE}")
    return f"SELECT {d.body(d.null_if_missing(one))}"


def nodes(root: Root, ids: list[str], max_page_size: int, params: Params) -> str:
    d = params.dialect
    if len(ids) > max_page_size:
        raise Refused("too many IDs")
    wanted: list[str | None] = []
    for id_ in ids:
        decoded = global_id.decode(id_)
        if decoded is not None and decoded[0] != "Organization":
            raise Refused(f"nodes() with a {decoded[0]}")
        wanted.append(str(decoded[1]) if decoded and decoded[0] == "Organization" else None)
    source, value, order = d.each(params.add(orjson.dumps(wanted).decode()))
    one = d.sub(f"SELECT {root.json} FROM organization t WHERE t.id = {value} AND {VISIBLE}")
    return f"SELECT {d.body(d.array(one, source, order))}"
