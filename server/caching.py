"""HTTP caching for reference data (`countries`, `currencies`).

Both change only when the server is redeployed or restarted with other settings, and forms ask
for them on every page load. A query sent with GET whose top-level fields are only reference
data gets `Cache-Control: private, max-age=…`, so the browser (or an HTTP client cache) reuses
the answer. `private`, because the request carries a bearer token and a shared cache must not
answer it for someone else; POST responses are never cached by browsers, so clients that want
the cache send these queries with GET (`GET /graphql?query=…`).
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import FieldNode, OperationType
from starlette.requests import Request
from starlette.responses import Response
from strawberry.extensions import SchemaExtension

from graph.execution.operation import operation_of

CACHEABLE_FIELDS = frozenset({"countries", "currencies", "__typename"})


class ReferenceDataCache(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        yield
        ctx = self.execution_context
        context = ctx.context
        result = ctx.result
        request, response = context.request, context.response
        if result is None or result.errors or not isinstance(request, Request):
            return  # a WebSocket (subscription) has no caching
        if request.method != "GET" or not isinstance(response, Response):
            return
        if ctx.graphql_document is None:
            return
        operation = operation_of(ctx.graphql_document, ctx.operation_name)
        if operation is None or operation.operation != OperationType.QUERY:
            return
        selections = operation.selection_set.selections
        if all(isinstance(s, FieldNode) and s.name.value in CACHEABLE_FIELDS for s in selections):
            max_age = context.settings.reference_data_max_age_seconds
            response.headers["Cache-Control"] = f"private, max-age={max_age}"
            response.headers["Vary"] = "Authorization"
