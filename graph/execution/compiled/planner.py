"""Plans a read operation into one SQL statement per root field that returns its JSON.

`plan()` looks at a validated document once per (document, operation, values of the variables
its @include/@skip read) and either refuses it (None: the normal executor runs the whole
operation) or returns a `Plan`: per root field, the JSON-building SQL of its selection with
holes for what only the request knows (the page's filter, sort and window, the actor's
visibility). What maps onto columns and joins is covered:

- `organizations`: nodes/edges (cursor, node), pageInfo, totalCount, countsByStatus;
- `organization(id:)`, `node(id:)` (when the ID is an Organization's), `nodes(ids:)`;
- on Organization: every field without a resolver whose Python name is a column (driven by
  the schema: a new column-backed field or enum value needs no change here), `id`,
  `primaryAddress`, `primaryContact` (same rule on Address and Contact) and `parent`;
- `__typename` anywhere, `@include`/`@skip`, aliases, fragments, variables.

Anything else (a resolver field such as `formatted` or `history`, another root field, another
directive, introspection, a mutation) refuses the plan. Requests that would answer an error
(no actor, no READ, a bad cursor, a negative size) are refused at run time by `compiled.run`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    print_ast,
)
from tortoise.models import Model

from graph.execution.compiled.dialect import MAX_PAIRS, Dialect, literal
from models import Address, Contact, Organization

# Where the visibility condition goes (rendered once per statement from the actor).
VISIBLE = "\x00VISIBLE\x00"
ROOTS = frozenset({"organizations", "organization", "node", "nodes"})
# GraphQL object types backed by a table: (model, the column tying a row to its organization).
TABLES: dict[str, tuple[type[Model], str | None]] = {
    "Organization": (Organization, None),
    "Address": (Address, "organization_id"),
    "Contact": (Contact, "organization_id"),
}
# Organization fields that follow a relation instead of reading a column.
RELATIONS = {"primaryAddress": "Address", "primaryContact": "Contact"}
PAGE_INFO = frozenset({"hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"})
STATUS_COUNT = frozenset({"status", "count", "__typename"})
_MAX_PLANS = 1024


class Unsupported(Exception):
    """The operation needs something the planner does not compile."""


@dataclass(frozen=True)
class Collected:
    name: str
    nodes: tuple[FieldNode, ...]

    def selection_sets(self) -> list[SelectionSetNode]:
        return [n.selection_set for n in self.nodes if n.selection_set is not None]


@dataclass
class Root:
    key: str
    name: str
    node: FieldNode
    field_def: GraphQLField | None
    # organizations: which connection parts are selected, and their JSON with holes
    json: str = ""  # organization / node / nodes: the object's JSON over alias `t`
    connection: list[tuple[str, str, Any]] = field(default_factory=list)


@dataclass
class Plan:
    roots: list[Root]


class _Collector:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def _included(self, node: Any) -> bool:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in {"include", "skip"}:
                raise Unsupported(f"@{name}")
            arg = directive.arguments[0].value
            value: Any
            if isinstance(arg, BooleanValueNode):
                value = arg.value
            elif isinstance(arg, VariableNode):
                value = self.variables.get(arg.name.value)
            else:
                raise Unsupported("directive argument")
            if value is not True and value is not False:
                raise Unsupported("directive variable")
            if (name == "include") != value:
                return False
        return True

    def _applies(self, condition: str | None, runtime: GraphQLObjectType) -> bool:
        if condition is None or condition == runtime.name:
            return True
        return any(i.name == condition for i in runtime.interfaces)

    def collect(
        self, selection_sets: Iterable[SelectionSetNode], runtime: GraphQLObjectType
    ) -> dict[str, Collected]:
        out: dict[str, Collected] = {}
        seen: set[str] = set()

        def walk(selection_set: SelectionSetNode) -> None:
            for selection in selection_set.selections:
                if not self._included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = selection.alias.value if selection.alias else selection.name.value
                    if key in out:
                        out[key] = Collected(out[key].name, (*out[key].nodes, selection))
                    else:
                        out[key] = Collected(selection.name.value, (selection,))
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if self._applies(condition.name.value if condition else None, runtime):
                        walk(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    if name in seen:
                        continue
                    fragment = self.fragments[name]
                    if fragment.variable_definitions:
                        raise Unsupported("fragment variables")
                    if self._applies(fragment.type_condition.name.value, runtime):
                        seen.add(name)
                        walk(fragment.selection_set)

        for selection_set in selection_sets:
            walk(selection_set)
        if len(out) > MAX_PAIRS:
            raise Unsupported("too many fields in one object")
        return out


class _Builder:
    """Writes the JSON of Organization, Address and Contact selections for one dialect."""

    def __init__(self, schema: GraphQLSchema, collector: _Collector, dialect: Dialect) -> None:
        self.schema = schema
        self.collector = collector
        self.d = dialect

    def _type(self, name: str) -> GraphQLObjectType:
        type_ = self.schema.get_type(name)
        assert isinstance(type_, GraphQLObjectType)
        return type_

    def _leaf(self, type_name: str, field_name: str, alias: str) -> str:
        """The SQL of a column-backed leaf field."""
        parent = self._type(type_name)
        field_def = parent.fields.get(field_name)
        extensions = (field_def.extensions or {}) if field_def else {}
        definition = extensions.get("strawberry-definition")
        if field_def is None or definition is None or definition.base_resolver is not None:
            raise Unsupported(f"{type_name}.{field_name}")
        model = TABLES[type_name][0]
        column = model._meta.fields_db_projection.get(definition.python_name)
        if column is None:
            raise Unsupported(f"{type_name}.{field_name} is not a column")
        ref = f"{alias}.{column}"
        type_: Any = field_def.type
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(type_, GraphQLEnumType):
            return self._enum(type_, ref)
        if not isinstance(type_, GraphQLScalarType):
            raise Unsupported(f"{type_name}.{field_name} is not a leaf")
        if type_.name == "DateTime":
            return self.d.datetime(ref)
        if type_.name in {"String", "Int"}:
            return ref
        if type_.name == "Boolean":
            return f"CASE WHEN {ref} IS NULL THEN NULL ELSE {self.d.boolean(ref)} END"
        raise Unsupported(f"scalar {type_.name}")

    def _enum(self, type_: GraphQLEnumType, ref: str) -> str:
        """Stored values as the enum's GraphQL names; the mapping comes from the enum itself."""
        names: dict[str, str] = {}
        for name, value in type_.values.items():
            stored = value.value.value if isinstance(value.value, Enum) else value.value
            if not isinstance(stored, str):
                raise Unsupported(f"enum {type_.name}")
            names[stored] = name
        if all(k == v for k, v in names.items()):
            return ref
        whens = " ".join(f"WHEN {literal(k)} THEN {literal(v)}" for k, v in names.items())
        return f"CASE {ref} {whens} END"

    def object(self, type_name: str, fields: Mapping[str, Collected], alias: str) -> str:
        """`json_build_object(...)` of `fields` on the row `alias` of `type_name`'s table."""
        pairs: list[tuple[str, str]] = []
        for key, f in fields.items():
            if f.name == "__typename":
                pairs.append((key, literal(type_name)))
            elif type_name == "Organization" and f.name == "id":
                pairs.append((key, self.d.global_id("Organization", f"{alias}.id")))
            elif type_name == "Organization" and f.name in RELATIONS:
                related = RELATIONS[f.name]
                model, link = TABLES[related]
                inner = f"{alias}_{related[0].lower()}"
                sub = self.collector.collect(f.selection_sets(), self._type(related))
                pairs.append(
                    (
                        key,
                        self.d.sub(
                            f"SELECT {self.object(related, sub, inner)} FROM "
                            f"{model._meta.db_table} {inner} WHERE {inner}.{link} = {alias}.id"
                        ),
                    )
                )
            elif type_name == "Organization" and f.name == "parent":
                inner = f"{alias}p"
                sub = self.collector.collect(f.selection_sets(), self._type("Organization"))
                pairs.append(
                    (
                        key,
                        self.d.sub(
                            f"SELECT {self.object('Organization', sub, inner)} FROM organization "
                            f"{inner} WHERE {inner}.id = {alias}.parent_id AND {VISIBLE}"
                        ),
                    )
                )
            else:
                pairs.append((key, self._leaf(type_name, f.name, alias)))
        return self.d.obj(pairs)

    def connection(self, nodes: Collected) -> list[tuple[str, str, Any]]:
        """(response name, part, what the part needs) for an OrganizationConnection."""
        parts: list[tuple[str, str, Any]] = []
        for key, f in self.collector.collect(
            nodes.selection_sets(), self._type("OrganizationConnection")
        ).items():
            if f.name == "__typename":
                parts.append((key, "typename", "OrganizationConnection"))
            elif f.name == "nodes":
                parts.append((key, "nodes", self.organization_over(f, "r")))
            elif f.name == "edges":
                edge: list[tuple[str, str, Any]] = []
                for k, e in self.collector.collect(
                    f.selection_sets(), self._type("OrganizationEdge")
                ).items():
                    if e.name == "node":
                        edge.append((k, "node", self.organization_over(e, "r")))
                    elif e.name in {"cursor", "__typename"}:
                        edge.append((k, e.name, None))
                    else:
                        raise Unsupported(f"OrganizationEdge.{e.name}")
                parts.append((key, "edges", edge))
            elif f.name in {"pageInfo", "countsByStatus"}:
                type_name = "PageInfo" if f.name == "pageInfo" else "StatusCount"
                names = [
                    (k, s.name)
                    for k, s in self.collector.collect(
                        f.selection_sets(), self._type(type_name)
                    ).items()
                ]
                known = PAGE_INFO if f.name == "pageInfo" else STATUS_COUNT
                if any(name not in known for _, name in names):
                    raise Unsupported(f"{type_name} field")
                parts.append((key, f.name, names))
            elif f.name == "totalCount":
                parts.append((key, "totalCount", None))
            else:
                raise Unsupported(f"OrganizationConnection.{f.name}")
        return parts

    def organization_over(self, nodes: Collected, alias: str) -> str:
        fields = self.collector.collect(nodes.selection_sets(), self._type("Organization"))
        return self.object("Organization", fields, alias)


def directive_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables any @include/@skip in the document reads (the plan depends on them)."""
    found: list[str] = []

    def visit(node: Any) -> None:
        for directive in getattr(node, "directives", None) or ():
            for arg in directive.arguments or ():
                if isinstance(arg.value, VariableNode):
                    found.append(arg.value.name.value)
        selection_set = getattr(node, "selection_set", None)
        for selection in selection_set.selections if selection_set else ():
            visit(selection)

    for definition in document.definitions:
        visit(definition)
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Request:
    """What a plan is made from: the schema, the validated document and its operation, the
    coerced variables (only @include/@skip's matter) and the database's dialect."""

    schema: GraphQLSchema
    document: DocumentNode
    operation: OperationDefinitionNode
    variables: Mapping[str, Any]
    dialect: Dialect


def build(request: Request) -> Plan | None:
    schema, document, operation = request.schema, request.document, request.operation
    variables, dialect = request.variables, request.dialect
    if operation.operation is not OperationType.QUERY:
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    collector = _Collector(schema, fragments, variables)
    builder = _Builder(schema, collector, dialect)
    query = schema.query_type
    assert query is not None
    try:
        if operation.directives:
            raise Unsupported("operation directives")
        roots = []
        for key, f in collector.collect([operation.selection_set], query).items():
            if f.name == "__typename":
                roots.append(Root(key, f.name, f.nodes[0], None))
                continue
            if f.name not in ROOTS or len({_args(n) for n in f.nodes}) != 1:
                return None
            root = Root(key, f.name, f.nodes[0], query.fields[f.name])
            if f.name == "organizations":
                root.connection = builder.connection(f)
            else:  # organization, node, nodes: an Organization (or null) per ID
                root.json = builder.organization_over(f, "t")
            roots.append(root)
    except Unsupported:
        return None
    return Plan(roots)


def _args(node: FieldNode) -> str:
    return ", ".join(print_ast(a) for a in node.arguments or ())


class Cache:
    """Plans per (document, operation, directive variables' values, dialect), bounded; the
    document object is kept alive with its plans so its id() is not reused."""

    def __init__(self) -> None:
        self._plans: dict[tuple[Any, ...], tuple[DocumentNode, Plan | None]] = {}
        self._directive_vars: dict[int, tuple[DocumentNode, tuple[str, ...]]] = {}

    def get(self, request: Request) -> Plan | None:
        document, variables = request.document, request.variables
        entry = self._directive_vars.get(id(document))
        if entry is None or entry[0] is not document:
            entry = (document, directive_variables(document))
            self._bounded(self._directive_vars)[id(document)] = entry
        values = tuple(variables.get(name) for name in entry[1])
        key = (id(document), id(request.operation), values, request.dialect.postgres)
        found = self._plans.get(key)
        if found is None or found[0] is not document:
            found = (document, build(request))
            self._bounded(self._plans)[key] = found
        return found[1]

    @staticmethod
    def _bounded(cache: dict[Any, Any]) -> dict[Any, Any]:
        if len(cache) >= _MAX_PLANS:
            del cache[next(iter(cache))]
        return cache
