"""Operations run once, run again without the pipeline around them.

The first time a document is run, Strawberry parses and validates it (both cached), the
extensions check its limits and choose its operation. Each of those steps gives the same
verdict for the same text and operation name in the same schema, so a second request with
them needs none of it: only what depends on the request (its actor, its variables, their
filter limits) is checked again.

- Reads the compiled path answered are answered from the same plan (graph/execution/compiled/).
- Mutations are executed by graphql-core with the remembered document, exactly as Strawberry
  would execute them (the same executor, resolvers and permission checks), and their errors
  go through the same policy (`graph/core/errors.py`). Profiled, the pipeline around one
  createCustomer was a fifth of its CPU.

Entries belong to one schema (one app, one Settings: limits and introspection are part of
validation) and are bounded in number and in the length of the text they hold.
`PORTAL_PREPARED_OPERATIONS=false` switches both off.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    MiddlewareManager,
    OperationDefinitionNode,
    OperationType,
    execute,
)
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from graph.core.context import Context
from graph.core.errors import apply_error_policy
from graph.execution.limits import check_filters
from graph.execution.operation import operation_of

MAX_ENTRIES = 1024
MAX_QUERY_CHARS = 16_384


@dataclass(frozen=True, slots=True)
class Prepared:
    document: DocumentNode
    operation: OperationDefinitionNode
    # What the access log and the metrics call the operation.
    name: str | None

    @property
    def is_mutation(self) -> bool:
        return self.operation.operation is OperationType.MUTATION


class PreparedOperations:
    """What was remembered, by text and operation name. Reads are remembered by the compiled
    path once it answered them (CompiledReads), mutations by PrepareMutations."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str | None], Prepared] = {}

    def get(self, query: str, operation_name: str | None) -> Prepared | None:
        return self._entries.get((query, operation_name))

    def remember(
        self,
        query: str,
        operation_name: str | None,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        name: str | None,
    ) -> None:
        if len(query) > MAX_QUERY_CHARS:
            return
        # Only `__typename` at the top: reference-data HTTP caching (server/caching.py) may
        # apply, which runs in the pipeline; such a request is cheap anyway.
        if all(
            isinstance(s, FieldNode) and s.name.value == "__typename"
            for s in operation.selection_set.selections
        ):
            return
        key = (query, operation_name)
        if key not in self._entries and len(self._entries) >= MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = Prepared(document, operation, name)


def remember(ctx: Any, kind: OperationType) -> None:
    """Remembers the operation of a Strawberry execution context that passed parsing,
    validation and the document's limits, if it is a `kind` operation."""
    prepared = getattr(ctx.schema, "prepared", None)
    if not isinstance(prepared, PreparedOperations) or ctx.query is None:
        return
    operation = operation_of(ctx.graphql_document, ctx.operation_name)
    if operation is None or operation.operation is not kind:
        return
    # The name as the request gave it (an InitVar, so kept privately): the key must be what
    # the next request sends, not the name read from the document.
    provided = getattr(ctx, "_provided_operation_name", None)
    prepared.remember(ctx.query, provided, ctx.graphql_document, operation, ctx.operation_name)


class PrepareMutations(SchemaExtension):
    """Remembers a mutation about to run: the extensions before it (the limiter, the
    operation choice) had their say, and what is left depends on the request alone. List it
    after them."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.result is None and ctx.graphql_document is not None:
            remember(ctx, OperationType.MUTATION)
        yield


async def run_mutation(
    schema: Any,
    context: Context,
    found: Prepared,
    variables: dict[str, Any] | None,
    extensions: dict[str, Any] | None,
) -> tuple[ExecutionResult, list[GraphQLError]] | None:
    """The result of a remembered mutation, with its errors as the pipeline would leave them,
    and those errors as they were raised (what the access log records, as in the pipeline);
    None: the pipeline runs it (it answers a filter beyond its limits in its own words)."""
    gql = schema._schema
    if check_filters(gql, found.document, variables, context.settings):
        return None
    # The call Strawberry's Schema._execute_operation makes, argument for argument (no
    # extension of ours hooks field resolution, so its middleware is empty there too).
    result = execute(
        gql,
        found.document,
        root_value=None,
        middleware=MiddlewareManager(),
        variable_values=variables,
        operation_name=found.name,
        context_value=context,
        is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
        executor_class=schema.execution_context_class,
        operation_extensions=extensions,
    )
    if isawaitable(result):
        result = await result
    raised = result.errors or []
    errors = apply_error_policy(raised, context) if raised else None
    return ExecutionResult(data=result.data, errors=errors), raised
