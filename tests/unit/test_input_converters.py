"""Every input type's converter (graph/execution/inputs.py) builds what Strawberry's own walk
builds from the same coerced value: generated values of every input type of the schema, with
fields sent, omitted and null, nested inputs and lists, through both."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import strawberry
from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLString,
)
from graphql.pyutils import Undefined
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strawberry.types.arguments import convert_argument
from strawberry.types.base import StrawberryObjectDefinition

from graph.execution.inputs import CompiledInput, install
from graph.schema import build_schema

SCHEMA = build_schema()
DEFINITIONS: dict[str, StrawberryObjectDefinition] = {
    name: definition
    for name in SCHEMA._schema.type_map
    if isinstance(definition := SCHEMA.get_type_by_name(name), StrawberryObjectDefinition)
    and definition.is_input
}


class _File:
    """An uploaded file stands for itself (the Upload scalar passes it through)."""


def _scalar(type_: GraphQLScalarType) -> st.SearchStrategy[Any]:
    if type_ is GraphQLString or type_ is GraphQLID:
        return st.text(max_size=8)
    if type_ is GraphQLInt:
        return st.integers(-(2**31), 2**31 - 1)
    if type_ is GraphQLFloat:
        return st.floats(allow_nan=False)
    if type_ is GraphQLBoolean:
        return st.booleans()
    if type_.name == "DateTime":
        return st.datetimes(timezones=st.just(UTC))
    assert type_.name == "Upload", f"a value for scalar {type_.name}"
    return st.builds(_File)


def _value(type_: GraphQLInputType, depth: int) -> st.SearchStrategy[Any]:
    """A value as graphql-core hands it to resolvers: coerced, defaults filled in."""
    if isinstance(type_, GraphQLNonNull):
        return _present(type_.of_type, depth)
    return st.one_of(st.none(), _present(type_, depth))


def _present(type_: GraphQLInputType, depth: int) -> st.SearchStrategy[Any]:
    if isinstance(type_, GraphQLList):
        return st.lists(_value(type_.of_type, depth), max_size=3)
    if isinstance(type_, GraphQLEnumType):
        return st.sampled_from([v.value for v in type_.values.values()])
    if isinstance(type_, GraphQLScalarType):
        return _scalar(type_)
    assert isinstance(type_, GraphQLInputObjectType)
    return _object(type_, depth)


def _object(type_: GraphQLInputObjectType, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in type_.fields.items():
        nested = isinstance(_named(field.type), GraphQLInputObjectType)
        if depth >= 2 and nested and not isinstance(field.type, GraphQLNonNull):
            continue  # deep enough: a filter's and/or/not would nest forever
        if isinstance(field.type, GraphQLNonNull) or field.default_value is not Undefined:
            # graphql-core fills in a default the client omitted.
            required[name] = _value(field.type, depth + 1)
        else:
            optional[name] = _value(field.type, depth + 1)
    return st.fixed_dictionaries(required, optional=optional)


def _named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


@contextmanager
def _strawberry_walk() -> Iterator[None]:
    """Strawberry's own conversion for every type, for the length of the block."""
    hooks = {d: d.from_input for d in DEFINITIONS.values()}
    for definition in DEFINITIONS.values():
        definition.from_input = None
    try:
        yield
    finally:
        for definition, hook in hooks.items():
            definition.from_input = hook


def _both(definition: StrawberryObjectDefinition, value: dict[str, Any]) -> tuple[Any, Any]:
    hook = definition.from_input
    assert isinstance(hook, CompiledInput)
    compiled = hook(definition.origin, value)
    with _strawberry_walk():
        walked = convert_argument(
            value, definition.origin, SCHEMA.schema_converter.scalar_registry, SCHEMA.config
        )
    return compiled, walked


def test_every_input_type_of_the_schema_has_a_converter() -> None:
    missing = [n for n, d in DEFINITIONS.items() if not isinstance(d.from_input, CompiledInput)]
    assert missing == [] and len(DEFINITIONS) >= 20


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_converter_builds_what_the_walk_builds(name: str, data: st.DataObject) -> None:
    graphql_type = SCHEMA._schema.type_map[name]
    assert isinstance(graphql_type, GraphQLInputObjectType)
    value = data.draw(_object(graphql_type, 0))
    compiled, walked = _both(DEFINITIONS[name], value)
    assert type(compiled) is type(walked)
    assert compiled == walked
    assert repr(compiled) == repr(walked)  # UNSET and None alike, field by field
    _no_shared_lists(compiled, value)


def _no_shared_lists(built: Any, value: Any) -> None:
    """Lists are copied, as the walk copies them: graphql-core hands every request that
    omits a value the same default list."""
    if isinstance(value, dict):
        for item in value.values():
            _no_shared_lists(built, item)
    elif isinstance(value, list):
        assert not _holds(built, value), "a list of the input value is shared"


def _holds(built: Any, target: list[Any]) -> bool:
    if built is target:
        return True
    if isinstance(built, list):
        return any(_holds(b, target) for b in built)
    fields = getattr(built, "__dataclass_fields__", None)
    return bool(fields) and any(_holds(getattr(built, f), target) for f in fields)


def _own(cls: type, value: Any, context: object) -> Any:
    return cls(**value)


@strawberry.input
class Inner:
    x: int


Inner.__strawberry_definition__.from_input = _own  # type: ignore[attr-defined]


@strawberry.input
class Outer:
    inner: Inner
    when: datetime | None = None


@strawberry.type
class EchoQuery:
    @strawberry.field
    def echo(self, value: Outer) -> int:
        return value.inner.x


def test_a_type_with_a_hook_of_its_own_keeps_it_and_its_containers_keep_the_walk() -> None:
    assert install(strawberry.Schema(query=EchoQuery)) == 0
    assert Inner.__strawberry_definition__.from_input is _own  # type: ignore[attr-defined]
    assert Outer.__strawberry_definition__.from_input is None  # type: ignore[attr-defined]
