"""Input objects built from their GraphQL values by a converter made once per type.

Strawberry converts an argument by walking its type annotations on every call: for each
field it resolves the field's type, its GraphQL name and what kind of type it is. Profiled,
that walk was 15% of a createCustomer. Strawberry's hook for input types that build their
own value (`StrawberryObjectDefinition.from_input`) takes a converter made here once per
type, which does what the walk does, step for step: the same implicit None for fields
without a default, the fields the client sent converted (None and UNSET kept, leaf lists
copied, nested inputs built the same way), then the class called with them.

Only types it can follow all the way down get one: fields of scalars, enums, lists and other
such inputs. A type with a `Maybe` field (Strawberry validates those nulls itself only for
types without the hook), a global ID, a lazy type or a hook of its own keeps Strawberry's
walk, and so does every type that contains one. tests/unit/test_input_converters.py holds
the two to the same values for every input type of the schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

import strawberry
from strawberry.relay import GlobalID
from strawberry.scalars import is_scalar
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
    has_object_definition,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.unset import UNSET

Convert = Callable[[Any], Any]


class CompiledInput:
    """The `from_input` hook of one input type: its fields' converters, made once."""

    def __init__(self, definition: StrawberryObjectDefinition) -> None:
        self.definition = definition
        # Filled in by `_Compiler` once every field's converter exists (types may nest
        # themselves: a filter's `and` is a list of filters).
        self.fields: tuple[tuple[str, str, Convert], ...] = ()
        self.implicit: dict[str, None] = {
            f.python_name: None
            for f in definition.fields
            if f.default_value is MISSING and f.default_factory is MISSING
        }

    def __call__(self, cls: type, value: Mapping[str, Any], context: object = None) -> Any:
        kwargs: dict[str, Any] = dict(self.implicit)
        for graphql_name, python_name, convert in self.fields:
            if graphql_name in value:
                kwargs[python_name] = convert(value[graphql_name])
        return cls(**kwargs)

    def value(self, value: Any) -> Any:
        """A nested field's value: built, unless it is None or UNSET."""
        if value is None or value is UNSET:
            return value
        return self(self.definition.origin, value)


def install(schema: strawberry.Schema) -> int:
    """Gives every input type of `schema` that can have one its converter; returns how many
    have one. Idempotent: the hook belongs to the type, so later schemas find it set."""
    compiler = _Compiler(schema)
    definitions = [
        d
        for d in (_input_definition(schema, t.name) for t in schema._schema.type_map.values())
        if d is not None
    ]
    # A type can have a converter when each of its fields is a leaf, a list, or another type
    # that can: assume every type can, then strike out those that cannot until none is left
    # (types may nest themselves: a filter's `and` is a list of filters).
    able = {d.origin: d for d in definitions if compiler.own_fields_followable(d)}
    while True:
        unable = [o for o, d in able.items() if not compiler.inputs_of(d) <= able.keys()]
        if not unable:
            break
        for origin in unable:
            del able[origin]
    compiled = {origin: CompiledInput(d) for origin, d in able.items()}
    for origin, converter in compiled.items():
        converter.fields = tuple(
            (
                compiler.config.name_converter.from_field(field),
                field.python_name,
                compiler.converter(field.resolve_type(type_definition=able[origin]), compiled),
            )
            for field in able[origin].fields
        )
    for origin, converter in compiled.items():
        able[origin].from_input = converter
    return len(compiled)


def _input_definition(schema: strawberry.Schema, name: str) -> StrawberryObjectDefinition | None:
    found = schema.get_type_by_name(name)
    if isinstance(found, StrawberryObjectDefinition) and found.is_input:
        return found
    return None


def _leaf(value: Any) -> Any:
    return value


def _copied(value: Any) -> Any:
    # Strawberry copies a list of leaves: graphql-core hands every request that omits the
    # value the same default list, so a change to it would leak into the next requests.
    if value is None or value is UNSET:
        return value
    return list(value)


def _each(convert: Convert) -> Convert:
    def each(value: Any) -> Any:
        if value is None or value is UNSET:
            return value
        return [convert(x) for x in value]

    return each


class _Compiler:
    def __init__(self, schema: strawberry.Schema) -> None:
        self.config = schema.config
        self.scalars = schema.schema_converter.scalar_registry

    def own_fields_followable(self, definition: StrawberryObjectDefinition) -> bool:
        """No field (and no hook of its own) needs the walk, input types aside."""
        if definition.from_input is not None and not isinstance(
            definition.from_input, CompiledInput
        ):
            return False
        return all(
            self._shape(f.resolve_type(type_definition=definition)) is not None
            for f in definition.fields
        )

    def inputs_of(self, definition: StrawberryObjectDefinition) -> set[type]:
        """The input types its fields hold."""
        found: set[type] = set()
        for field in definition.fields:
            shape = self._shape(field.resolve_type(type_definition=definition))
            if isinstance(shape, type):
                found.add(shape)
        return found

    def converter(self, type_: Any, compiled: Mapping[type, CompiledInput]) -> Convert:
        shape = self._shape(type_)
        if shape == "leaf":
            return _leaf
        if shape == "leaves":
            return _copied
        inner = _strip(type_)
        if isinstance(inner, StrawberryList):
            return _each(self.converter(inner.of_type, compiled))
        assert isinstance(shape, type)
        return compiled[shape].value

    def _shape(self, type_: Any) -> str | type | None:
        """ "leaf", "leaves" (a list of leaves), an input type's class (itself, or the items
        of a list of it), or None: the walk must convert it."""
        if isinstance(type_, StrawberryMaybe):
            return None
        type_ = _strip(type_)
        if isinstance(type_, StrawberryList):
            item = type_.of_type
            if isinstance(item, StrawberryMaybe) or isinstance(_strip(item), StrawberryList):
                return None  # lists of lists: none in the schema, so none here
            if self._is_leaf(_strip(item)):
                return "leaves"
            return self._shape(item)
        if self._is_leaf(type_):
            return "leaf"
        if type_ is not GlobalID and has_object_definition(type_):
            definition = type_.__strawberry_definition__
            return definition.origin if definition.is_input else None
        return None  # a global ID, a lazy type, anything else: the walk

    def _is_leaf(self, type_: Any) -> bool:
        if type_ is GlobalID:
            return False
        if is_scalar(type_, self.scalars):
            return True
        return isinstance(type_, StrawberryEnumDefinition) or has_enum_definition(type_)


def _strip(type_: Any) -> Any:
    """The type inside an Optional (None is kept by every converter)."""
    while isinstance(type_, StrawberryOptional) and not isinstance(type_, StrawberryMaybe):
        type_ = type_.of_type
    return type_
