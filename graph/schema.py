"""Assembles the schema: the Query, Mutation and Subscription roots from the domains, plus the
extensions.

Each domain contributes classes of fields (`graph/<domain>/queries.py`, `.../mutations/`); the
roots list them in the order the printed schema shows their fields. Extensions that belong to
the HTTP shell (access log, HTTP caching) are handed in by `server/`, which imports this."""

from __future__ import annotations

from collections.abc import Callable, Sequence

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

from graph.core.errors import ErrorPolicy
from graph.core.node import NodeQueries, node_types
from graph.execution.compiled import CompiledReads
from graph.execution.executor import FastExecutor
from graph.execution.inputs import install as install_input_converters
from graph.execution.limits import DocumentLimiter
from graph.execution.operation import OperationChoice
from graph.execution.prepared import PreparedOperations, PrepareMutations
from graph.imports.mutations import ImportMutations
from graph.imports.queries import ImportQueries
from graph.live.subscriptions import LiveSubscriptions
from graph.organizations.mutations import OrganizationMutations
from graph.organizations.queries import OrganizationQueries, ViewerQueries
from graph.reference.queries import ReferenceQueries
from graph.verification.mutations import VerificationMutations
from graph.webhooks.mutations import WebhookMutations
from graph.webhooks.queries import WebhookQueries

Extension = type[SchemaExtension] | Callable[[], SchemaExtension]


@strawberry.type(name="Query", description="Reads.")
class Query(
    ViewerQueries, NodeQueries, OrganizationQueries, ReferenceQueries, ImportQueries, WebhookQueries
):
    pass


@strawberry.type(name="Mutation", description="Writes.")
class Mutation(OrganizationMutations, VerificationMutations, ImportMutations, WebhookMutations):
    pass


@strawberry.type(name="Subscription", description="Live events (graphql-transport-ws).")
class Subscription(LiveSubscriptions):
    pass


class PortalSchema(strawberry.Schema):
    # Operations run once, run again without the pipeline (graph/execution/prepared.py;
    # None: off).
    prepared: PreparedOperations | None = None

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry logs every error at ERROR, client mistakes included and without the
        request ID. Errors a client caused are already in the access log (by code), and
        ErrorPolicy logs each masked one with its request ID, so nothing is logged here."""


def build_schema(
    *,
    introspection: bool = True,
    fast_executor: bool = True,
    compiled_reads: bool = False,
    prepared: bool = False,
    extensions: Sequence[Extension] = (),
) -> strawberry.Schema:
    """`extensions` run after the schema's own (the server's observers and HTTP caching)."""
    every: list[Extension] = [
        # Parsing and validating the same document again costs ~2 ms a request; cache both.
        ParserCache,
        # Depth, alias, directive and token limits from the request's settings; it adds its
        # rule in on_validate, so it must come before ValidationCache.
        DocumentLimiter,
        ValidationCache,
        # Several operations and no operationName: an error, not "run the first".
        OperationChoice,
        # Masks unexpected errors (logged with the request ID) and, in production, hints.
        ErrorPolicy,
        *extensions,
    ]
    if not introspection:
        every.append(lambda: AddValidationRules([NoSchemaIntrospectionCustomRule]))
    if prepared:
        # After the limiter and the operation choice: it remembers what they let through.
        every.append(PrepareMutations)
    if compiled_reads:
        # Last, so the extensions above see the operation as they always do.
        every.append(CompiledReads)
    schema = PortalSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=node_types(),
        extensions=every,
        # Compiled plain fields (graph/execution/executor.py); False: graphql-core's own.
        execution_context_class=FastExecutor if fast_executor else None,
    )
    if prepared:
        schema.prepared = PreparedOperations()
    # Input objects built by a converter made once per type (graph/execution/inputs.py). The
    # hook belongs to the input classes, so it is not switched per schema; the converters'
    # equality with Strawberry's walk is what tests/unit/test_input_converters.py proves.
    install_input_converters(schema)
    return schema


def print_schema() -> str:
    return build_schema().as_str() + "\n"
