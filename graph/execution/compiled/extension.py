"""The schema extension that answers a read operation from the compiled plan, or stands aside.

It runs in `on_execute`, after parsing and validation (both cached): when it sets the
execution context's result, Strawberry skips its executor; when it does not, nothing changed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from graphql import DocumentNode, OperationDefinitionNode, OperationType
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution.values import VariableValues, get_variable_values
from strawberry.extensions import SchemaExtension
from tortoise import connections

from graph.core.context import Context
from graph.execution.compiled import statements
from graph.execution.compiled.dialect import POSTGRES, SQLITE, Params, prepare_sqlite
from graph.execution.compiled.planner import Cache, Request
from graph.execution.limits import check_filters
from graph.execution.operation import operation_of
from graph.execution.prepared import Prepared, PreparedOperations, remember
from resolvers.actors import Permission
from resolvers.errors import Unavailable

logger = logging.getLogger("portal.compiled")
PLANS = Cache()


class CompiledReads(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:
        # An earlier extension may have answered already (DocumentLimiter refusing a filter
        # beyond its limits): that answer stands, and planning the filter is what it prevents.
        ctx = self.execution_context
        if ctx.result is None:
            try:
                data = await answer(ctx)
            except Unavailable:
                data = None  # the executor answers SERVICE_UNAVAILABLE in its own words
            if data is not None:
                ctx.result = GraphQLExecutionResult(data=data, errors=None)
                remember(ctx, OperationType.QUERY)
        yield


async def answer_prepared(
    schema: Any,
    context: object,
    query: str | None,
    operation_name: str | None,
    variables: object,
) -> tuple[dict[str, Any], Prepared] | None:
    """`data` for a request whose text and operation were answered here before, without
    parsing, validating or the extensions; None: the whole pipeline runs as always.
    Raises `Unavailable` when no database connection came free in time: the pipeline would
    only wait for one again (the HTTP view answers 503 SERVICE_UNAVAILABLE)."""
    prepared = getattr(schema, "prepared", None)
    if not isinstance(prepared, PreparedOperations) or not isinstance(query, str):
        return None
    found = prepared.get(query, operation_name)
    if found is None or found.is_mutation or not isinstance(context, Context):
        return None
    if variables is not None and not isinstance(variables, dict):
        return None
    if check_filters(schema._schema, found.document, variables, context.settings):
        return None  # DocumentLimiter answers with the limit it breaks
    data = await answer_operation(schema, context, found.document, found.operation, variables)
    return None if data is None else (data, found)


async def answer(execution_context: Any) -> dict[str, Any] | None:
    """The operation's `data` (root values are the database's JSON bytes), or None."""
    if execution_context.result is not None:
        return None  # an extension before this one answered already (a limit refused it)
    document = execution_context.graphql_document
    operation = operation_of(document, execution_context.operation_name)
    if operation is None:
        return None
    return await answer_operation(
        execution_context.schema,
        execution_context.context,
        document,
        operation,
        execution_context.variables,
    )


async def answer_operation(
    schema: Any,
    context: object,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    raw_variables: dict[str, Any] | None,
) -> dict[str, Any] | None:
    """`data` for a validated document's operation, or None: the executor answers instead."""
    if not isinstance(context, Context) or context.actor is None:
        return None
    actor = context.actor
    if not actor.can(Permission.READ):
        return None
    if operation.operation is not OperationType.QUERY:
        return None  # before coercing variables: a mutation's input is large
    gql = schema._schema
    variables = get_variable_values(gql, operation.variable_definitions or (), raw_variables or {})
    if not isinstance(variables, VariableValues):
        return None  # coercion errors: the normal path reports them
    db = connections.get("default")
    postgres = db.capabilities.dialect == "postgres"
    dialect = POSTGRES if postgres else SQLITE
    plan = PLANS.get(Request(gql, document, operation, variables.coerced, dialect))
    if plan is None:
        return None
    max_page = context.settings.max_page_size
    # Everything is rendered before anything runs: a refusal must come before any statement.
    rendered: list[tuple[str, tuple[str, list[object]] | bytes | str]] = []
    try:
        for root in plan.roots:
            if root.name == "__typename":
                rendered.append((root.key, "Query"))
                continue
            params = Params(dialect)
            args = statements.arguments(root, schema, variables)
            if root.name == "organizations":
                sql: str | None = await statements.connection(
                    root, args, actor, max_page, params, gql
                )
            elif root.name == "nodes":
                sql = statements.nodes(root, list(args["ids"]), max_page, params)
            else:
                sql = statements.organization(root, args["id"], root.name == "node", params)
            if sql is None:
                rendered.append((root.key, b"null"))
            else:
                rendered.append((root.key, (statements.finish(sql, actor, params), params.values)))
    except statements.Refused:
        return None
    data: dict[str, Any] = {}
    try:
        if postgres:
            # asyncpg itself, on one connection for every root: Tortoise's execute_query
            # adds an acquisition per root, a copy of the statement upper-cased to see
            # whether it writes, and a list of records for one value.
            async with db.acquire_connection() as connection:
                for key, value in rendered:
                    if isinstance(value, tuple):
                        # The line Tortoise's query log writes for each statement.
                        db.log.debug("%s: %s", *value)
                        value = await connection.fetchval(value[0], *value[1])
                    data[key] = orjson.Fragment(value) if isinstance(value, bytes) else value
            return data
        async with db.acquire_connection() as connection:
            await prepare_sqlite(connection)
        for key, value in rendered:
            if isinstance(value, tuple):
                _, rows = await db.execute_query(*value)
                value = bytes(rows[0][0])
            data[key] = orjson.Fragment(value) if isinstance(value, bytes) else value
    except Unavailable:
        raise  # no connection came free in time: each caller decides (see below)
    except Exception as error:  # noqa: BLE001 - the executor answers instead, errors included
        # A lost connection, a statement that failed: the executor meets the same and
        # answers with its own errors, so the two paths never answer differently.
        logger.warning("compiled read failed (%s); the executor answers", type(error).__name__)
        return None
    return data
