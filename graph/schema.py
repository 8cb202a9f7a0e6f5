"""Assembles the schema: the Query and Mutation roots plus the extensions every request runs."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)

from graph.errors import should_mask
from graph.mutations import Mutation
from graph.queries import Query
from graph.types import Organization, StatusChange


class MaskInternalErrors(MaskErrors):
    """Hides what escaped as a bug; keeps errors raised on purpose (UNAUTHENTICATED, ...)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask, error_message="Internal error.")


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        # Parsing and validating the same document again costs ~2 ms a request; cache both.
        ParserCache,
        ValidationCache,
        MaskInternalErrors,
    ]
    if not introspection:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    return strawberry.Schema(
        query=Query, mutation=Mutation, types=[Organization, StatusChange], extensions=extensions
    )


def print_schema() -> str:
    return build_schema().as_str() + "\n"
