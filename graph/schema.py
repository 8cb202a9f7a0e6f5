"""Assembles the schema: the Query and Mutation roots plus the extensions every request runs."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from graph.caching import ReferenceDataCache
from graph.errors import ErrorPolicy
from graph.execution.compiled import CompiledReads
from graph.executor import FastExecutor
from graph.limits import DocumentLimiter
from graph.mutations import Mutation
from graph.observability import OperationObserver
from graph.queries import Query
from graph.types import Organization, StatusChange


class PortalSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry logs every error at ERROR, client mistakes included and without the
        request ID. Errors a client caused are already in the access log (by code), and
        ErrorPolicy logs each masked one with its request ID, so nothing is logged here."""


def build_schema(
    *, introspection: bool = True, fast_executor: bool = True, compiled_reads: bool = False
) -> strawberry.Schema:
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        # Parsing and validating the same document again costs ~2 ms a request; cache both.
        ParserCache,
        # Depth, alias, directive and token limits from the request's settings; it adds its
        # rule in on_validate, so it must come before ValidationCache.
        DocumentLimiter,
        ValidationCache,
        # Masks unexpected errors (logged with the request ID) and, in production, hints.
        ErrorPolicy,
        # Notes the operation's name and error codes for the access log and metrics.
        OperationObserver,
        # Cache-Control on GET queries that only read countries/currencies.
        ReferenceDataCache,
    ]
    if not introspection:
        extensions.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    if compiled_reads:
        # Last, so the extensions above see the operation as they always do.
        extensions.append(CompiledReads)
    return PortalSchema(
        query=Query,
        mutation=Mutation,
        types=[Organization, StatusChange],
        extensions=extensions,
        # Compiled plain fields (graph/executor.py); False: graphql-core's stock executor.
        execution_context_class=FastExecutor if fast_executor else None,
    )


def print_schema() -> str:
    return build_schema().as_str() + "\n"
