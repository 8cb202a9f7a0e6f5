"""A compiled fast path for plain fields, on top of graphql-core 3.3's executor.

graphql-core spends ~3 µs on every field it executes: a `Path`, the field definition, Strawberry's
resolve info, the resolver call, two awaitable checks, and `complete_value` down to the leaf's
serializer. A page of 50 organizations has ~1,100 such fields, nearly all of them plain attributes
of a dataclass. `FastExecutor` compiles one Python function per selection set (per parent type
and set of response names, cached across requests) that reads those attributes directly and
serializes them as the stock path would, and hands every other field to the stock
`execute_field`, in document order.

A field is compiled inline ("plain") only when all of this holds:
- Strawberry's default resolver (`getattr` of the Python attribute): no resolver, no
  permission classes, no field extensions, no exception handlers;
- no arguments, and no directive on any of its nodes (@include/@skip are already applied);
- a leaf type (scalar or enum, optionally non-null), or `__typename`.

At run time an inline field takes the stock path, for that field and in its place, whenever its
value is anything but the expected case: an exception while reading it, a null in a non-null
field, a value of another type, an awaitable, a serializer that raises or returns null (an
out-of-range Int, NaN). The stock path then reads the value again and produces exactly the
result or error it always would; plain fields have no side effects, so reading twice is safe.
Nothing else changes: lists, objects, abstract types (`is_type_of`, `resolve_type`), resolvers,
root fields, @defer/@stream and serial mutation fields run through graphql-core as before.

It stands down completely when a schema extension hooks field resolution: Strawberry then
passes real middleware, which must see every field. `PORTAL_FAST_EXECUTOR=false` switches it off.

This relies on graphql-core internals (`Executor.execute_fields`, `execute_field`,
`settle_in_background`), hence the pin in pyproject.toml; tests/test_executor_differential.py
runs generated queries through both executors and must pass before an upgrade.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

Compiled = Callable[[Any, Any, Path, tuple[FieldDetailsList, ...]], Any]

# Types whose instances are never awaitable and never exceptions: safe to hand to a serializer.
_PLAIN_VALUES = frozenset({str, int, float, bool, datetime, date, time, Decimal, UUID})
_MAX_PLANS = 2048
# (parent type, ((response name, field name, plain?), ...)) -> compiled function or None.
_PLANS: dict[tuple[Any, ...], Compiled | None] = {}


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Strawberry always passes a manager; it holds middleware only when an extension
        # implements `resolve`, and then every field must go through it.
        self._stand_down = bool(manager is not None and manager.middlewares)
        # id(grouped field set) -> (the set, kept alive so the id stays unique; plan; fields)
        self._memo: dict[int, tuple[GroupedFieldSet, Compiled | None, tuple[Any, ...]]] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if path is None or position_context is not None or self._stand_down:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        # graphql-core memoizes collected subfields per executor, so every row of a list
        # arrives with the same grouped field set: one lookup here per row, not per field.
        entry = self._memo.get(id(grouped_field_set))
        if entry is None:
            entry = (
                grouped_field_set,
                plan(self.schema, parent_type, grouped_field_set),
                tuple(grouped_field_set.values()),
            )
            self._memo[id(grouped_field_set)] = entry
        compiled = entry[1]
        if compiled is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        return compiled(self, source_value, path, entry[2])

    def stock_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        key: str,
        results: dict[str, Any],
        pending: list[str] | None,
    ) -> list[str] | None:
        """One field through graphql-core, recorded as `execute_fields` would."""
        result = self.execute_field(
            parent_type, source, field_details_list, Path(path, key, parent_type.name), None
        )
        if result is not Undefined:
            results[key] = result
            if self.is_awaitable(result):
                pending = pending or []
                pending.append(key)
        return pending

    async def gather_fields(self, results: dict[str, Any], pending: list[str]) -> dict[str, Any]:
        if len(pending) == 1:
            results[pending[0]] = await results[pending[0]]
        else:
            awaited = await gather_with_cancel(*(results[key] for key in pending))
            results.update(zip(pending, awaited, strict=True))
        return results


def plan(
    schema: GraphQLSchema, parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet
) -> Compiled | None:
    """The compiled function for this selection set, or None when nothing in it is plain."""
    fields = []
    for response_name, details in grouped_field_set.items():
        node = details[0].node
        field_def = schema.get_field(parent_type, node.name.value)
        plain = (
            field_def is not None
            and not field_def.args
            and not any(d.node.arguments or d.node.directives for d in details)
        )
        fields.append((response_name, node.name.value, plain))
    key = (parent_type, tuple(fields))
    if key not in _PLANS:
        if len(_PLANS) >= _MAX_PLANS:
            del _PLANS[next(iter(_PLANS))]
        _PLANS[key] = _compile(schema, parent_type, fields)
    return _PLANS[key]


def _leaf(schema: GraphQLSchema, parent_type: GraphQLObjectType, name: str) -> Any:
    """(python attribute, non-null?, leaf type) when the field can be read inline, else None."""
    field_def = schema.get_field(parent_type, name)
    if field_def is None or not getattr(field_def.resolve, "_is_default", False):
        return None
    definition = (field_def.extensions or {}).get("strawberry-definition")
    if (
        definition is None
        or definition.base_resolver is not None
        or definition.extensions
        or definition.default_resolver is not getattr
    ):
        return None
    type_: Any = field_def.type
    non_null = isinstance(type_, GraphQLNonNull)
    if non_null:
        type_ = type_.of_type
    if not isinstance(type_, GraphQLScalarType | GraphQLEnumType):
        return None
    return definition.python_name, non_null, type_


def _compile(
    schema: GraphQLSchema, parent_type: GraphQLObjectType, fields: list[tuple[str, str, bool]]
) -> Compiled | None:
    names: dict[str, Any] = {"Undefined": Undefined, "PLAIN": _PLAIN_VALUES, "T": parent_type}
    body: list[str] = []
    inline = 0
    for i, (response_name, field_name, plain) in enumerate(fields):
        names[f"K{i}"] = response_name
        stock = f"pending = ex.stock_field(T, source, fdls[{i}], path, K{i}, results, pending)"
        leaf = _leaf(schema, parent_type, field_name) if plain else None
        if plain and field_name == "__typename":
            inline += 1
            body.append(f"results[K{i}] = {parent_type.name!r}")
            continue
        if leaf is None:
            body.append(stock)
            continue
        inline += 1
        attr, non_null, type_ = leaf
        read = (
            f"source.{attr}"
            if attr.isidentifier() and not keyword.iskeyword(attr)
            else f"getattr(source, {attr!r})"
        )
        body += ["try:", f"    v = {read}", "except Exception:", "    v = Undefined"]
        branches = [] if non_null else ["if v is None:", f"    results[K{i}] = None"]
        if type_ is GraphQLString or type_ is GraphQLID:
            branches += ["elif v.__class__ is str:", f"    results[K{i}] = v"]
        elif type_ is GraphQLBoolean:
            branches += ["elif v.__class__ is bool:", f"    results[K{i}] = v"]
        elif isinstance(type_, GraphQLEnumType) and isinstance(
            getattr(type_, "wrapped_cls", None), type
        ):
            # Each member's name, as the type's own serializer gives it.
            names[f"C{i}"] = type_.wrapped_cls  # type: ignore[attr-defined]
            names[f"E{i}"] = _enum_names(type_)
            branches += [
                f"elif v.__class__ is C{i} and v in E{i}:",
                f"    results[K{i}] = E{i}[v]",
            ]
        else:
            names[f"S{i}"] = type_.coerce_output_value
            branches += [
                f"elif v.__class__ in PLAIN and (o := _serialize(S{i}, v)) is not None:",
                f"    results[K{i}] = o",
            ]
        branches += ["else:", f"    {stock}"]
        if branches[0].startswith("elif"):
            branches[0] = branches[0][2:]
        body += branches
    if not inline:
        return None
    names["_serialize"] = _serialize
    source = "\n".join(
        [
            "def compiled(ex, source, path, fdls):",
            "    results = {}",
            "    pending = None",
            "    try:",
            *(f"        {line}" for line in body),
            "    except Exception:",
            "        if pending:",
            "            ex.settle_in_background([results[key] for key in pending])",
            "        raise",
            "    if pending is None:",
            "        return results",
            "    return ex.gather_fields(results, pending)",
        ]
    )
    exec(compile(source, f"<compiled selection on {parent_type.name}>", "exec"), names)
    compiled: Compiled = names["compiled"]
    return compiled


def _serialize(serializer: Callable[[Any], Any], value: Any) -> Any:
    """The serialized value, or None when the stock path must decide (it raises there)."""
    try:
        out = serializer(value)
    except Exception:
        return None
    return None if out is Undefined else out


def _enum_names(type_: GraphQLEnumType) -> dict[Any, str]:
    names = {}
    for member in type_.wrapped_cls:  # type: ignore[attr-defined]
        out = _serialize(type_.coerce_output_value, member)
        if isinstance(out, str):
            names[member] = out
    return names
