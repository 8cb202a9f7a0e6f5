"""GraphQL over HTTP as the spec (and the graphql-http audit) asks, on top of Strawberry's view.

What this adds to Strawberry's ASGI view:

- content negotiation: `application/graphql-response+json` when the client asks for it,
  `application/json` for `application/json`, `*/*` or no Accept header;
- request errors (unparsable JSON, bad parameters, a document that does not parse or validate,
  variables that do not coerce) answer without a `data` entry, 400 under
  `application/graphql-response+json` and 200 under `application/json`; every error body is JSON;
- POST accepts `application/json` (415 otherwise), so a browser cannot send a query from a
  plain HTML form, and `multipart/form-data` (file uploads) only with an Authorization header,
  which no cross-site form can send; GET runs queries only (405 for a mutation); subscriptions
  run over WebSocket only (400 here; server/live.py);
- a per-operation time limit (503 with OPERATION_TIMEOUT when it runs out);
- bodies are decoded by orjson, which refuses bytes that are not UTF-8, lone surrogates and
  nesting deeper than 1024 with a 400 (the stock decoder answered the first with a text/plain
  500, let lone surrogates reach the database driver, and hit a RecursionError on the last).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Mapping
from typing import Any, TypeVar

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from cross_web.request import FormData, StarletteRequestAdapter
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from graph.core.context import Context
from graph.execution.compiled import answer_prepared
from graph.execution.limits import limit_error
from graph.execution.prepared import Prepared, run_mutation
from resolvers.errors import Unavailable
from server.headers import header, header_map
from server.observability import error_codes, note_operation
from settings import Settings

T = TypeVar("T")
GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MULTIPART = "multipart/form-data"


class UploadRequestAdapter(StarletteRequestAdapter):
    """Multipart bodies as the GraphQL multipart request spec has them: `operations`, `map`
    and one file (importCustomers takes one); the body limit already bounds their size."""

    async def get_form_data(self) -> FormData:
        try:
            form = await self._request.form(max_files=1, max_fields=2)
        except (StarletteHTTPException, MultiPartException) as error:
            raise ValueError(str(error)) from error
        return FormData(files=form, form=form)


class RequestError(Exception):
    """A request the server refuses before or instead of running it."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extensions = {"code": code, **(extensions or {})}
        self.headers = dict(headers or {})


def negotiate(accept: str | None) -> str:
    """The response media type for an Accept header: the supported type with the highest
    quality, application/json for wildcards, a missing header or nothing supported."""
    best, best_q = JSON, -1.0
    for part in (accept or "").split(","):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        candidate = {GRAPHQL_RESPONSE: GRAPHQL_RESPONSE, JSON: JSON}.get(media)
        if media in {"*/*", "application/*"}:
            candidate = JSON
        if candidate and q > best_q:
            best, best_q = candidate, q
    return best


def error_body(message: str, extensions: Mapping[str, object]) -> bytes:
    return json.dumps({"errors": [{"message": message, "extensions": dict(extensions)}]}).encode()


def _is_request_error(result: ExecutionResult) -> bool:
    """No operation ran: the document did not parse or validate, or the variables did not
    coerce. Those errors carry no path; an error while running a field always has one."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


_OWN_HEADERS = frozenset({b"content-length", b"content-type"})


class _Answer(Response):
    """A finished GraphQL answer: its ASGI messages are ready, nothing is rendered again."""

    def __init__(
        self,
        body: bytes,
        status_code: int,
        headers: list[tuple[bytes, bytes]],
        background: BackgroundTask | None,
    ) -> None:
        # Response's own attributes, set as its __init__ would leave them for this body.
        self.body = body
        self.status_code = status_code
        self.raw_headers = headers
        self.background = background

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.body})
        if self.background is not None:
            await self.background()


class GraphQLView(GraphQL[Context, None]):
    settings: Settings
    request_adapter_class = UploadRequestAdapter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)
        request = Request(scope, receive)
        media = negotiate(header(scope, b"accept"))
        request.state.graphql_media = media
        prepared: Response | None = None
        try:
            if request.method == "POST":
                content_type = header(scope, b"content-type") or ""
                media_type = content_type.partition(";")[0].strip().lower()
                if media_type == MULTIPART:
                    # A browser sends multipart forms cross-site without asking, but never
                    # with an Authorization header: requiring one keeps forms out (CSRF).
                    if b"authorization" not in header_map(scope):
                        raise RequestError(
                            401,
                            "Multipart requests need a bearer token (`Authorization: Bearer`).",
                            code="UNAUTHENTICATED",
                        )
                elif media_type == JSON:
                    prepared = await self._prepared(request)
                else:
                    raise RequestError(
                        415,
                        "Send the request as JSON: `Content-Type: application/json` (or a "
                        "file upload as `multipart/form-data`).",
                        code="UNSUPPORTED_MEDIA_TYPE",
                    )
            response = prepared if prepared is not None else await self.run(request)
        except HTTPException as e:
            response = self._error(e.status_code, e.reason, media)
        except RequestError as e:
            response = self._error(e.status, e.message, media, e.extensions, e.headers)
        except Unavailable as e:  # the database could not serve authentication in time
            response = self._error(503, str(e), media, e.extensions)
        finally:
            await request.close()  # an uploaded file's temporary file, if any
        await response(scope, receive, send)

    def _error(
        self,
        status: int,
        message: str,
        media: str,
        extensions: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        code = {400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(
            status, "BAD_REQUEST"
        )
        return Response(
            error_body(message, extensions or {"code": code}),
            status_code=status,
            media_type=media,
            headers=dict(headers or {}),
        )

    async def _prepared(self, request: Request) -> Response | None:
        """The answer to a JSON POST of an operation run before (a compiled read, a
        mutation), built without Strawberry's request handling (graph/execution/prepared.py); None:
        `run` handles the request as always. Only the body's shape is read here: anything
        unusual (a batch, odd types, an unknown document) goes the long way."""
        prepared = getattr(self.schema, "prepared", None)
        if prepared is None:
            return None
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return None  # `run` answers it with its own 400
        if not isinstance(body, dict):
            return None
        query, name = body.get("query"), body.get("operationName")
        if not isinstance(query, str) or not isinstance(name, str | None):
            return None
        found = prepared.get(query, name)
        if found is None:
            return None  # before authenticating: `run` would authenticate again
        variables, extensions = body.get("variables"), body.get("extensions")
        if not isinstance(variables, dict | None) or not isinstance(extensions, dict | None):
            return None  # `run` answers with its own 400
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        request.state.prepared_tried = True
        if found.is_mutation:
            result = await self._run_prepared_mutation(request, context, found, body)
        else:
            result = await self._answer_prepared(request, context, query, name, variables)
        if result is None:  # e.g. no token, variables that do not coerce: the long way
            return None
        data = await self.process_result(request, result)
        return self.create_response(data, sub_response)

    async def _in_time(self, operation: Awaitable[T]) -> T:
        """`operation`'s result, or 503 OPERATION_TIMEOUT once it ran past the limit."""
        limit = self.settings.operation_timeout_seconds
        try:
            async with asyncio.timeout(limit):
                return await operation
        except TimeoutError as e:
            raise RequestError(
                503,
                f"The operation ran longer than the limit of {limit:g} s "
                "(PORTAL_OPERATION_TIMEOUT_SECONDS).",
                code="OPERATION_TIMEOUT",
                extensions={"limit": "operationTimeoutSeconds", "max": limit},
            ) from e

    async def _run_prepared_mutation(
        self, request: Request, context: Context, found: Prepared, body: dict[str, Any]
    ) -> ExecutionResult | None:
        ran = await self._in_time(
            run_mutation(self.schema, context, found, body.get("variables"), body.get("extensions"))
        )
        if ran is None:
            return None
        result, raised = ran
        note_operation(request, found.name, "mutation", error_codes(raised))
        return result

    async def _answer_prepared(
        self,
        request: Request,
        context: Context,
        query: str | None,
        name: str | None,
        variables: object,
    ) -> ExecutionResult | None:
        answered = await self._in_time(
            answer_prepared(self.schema, context, query, name, variables)
        )
        if answered is None:
            return None
        data, prepared = answered
        note_operation(request, prepared.name, "query", [])
        return ExecutionResult(data=data, errors=None)

    async def execute_single(  # noqa: PLR0917
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        # A read the compiled path answered before (GET, or a POST `_prepared` did not take):
        # no parsing, validation or extensions this time.
        if not getattr(request.state, "prepared_tried", False):
            answered = await self._answer_prepared(
                request,
                context,
                request_data.query,
                request_data.operation_name,
                request_data.variables,
            )
            if answered is not None:
                return answered
        # Strawberry's, without subscriptions: those run over WebSocket (server/live.py).
        allowed = OperationType.from_http(request_adapter.method) - {OperationType.SUBSCRIPTION}
        try:
            return await self._in_time(
                self.schema.execute(
                    request_data.query,
                    root_value=root_value,
                    variable_values=request_data.variables,
                    context_value=context,
                    operation_name=request_data.operation_name,
                    allowed_operation_types=allowed,
                    operation_extensions=request_data.extensions,
                )
            )
        except InvalidOperationTypeError as e:
            if e.operation_type is OperationType.SUBSCRIPTION:
                raise RequestError(
                    400,
                    "Subscriptions run over WebSocket (graphql-transport-ws) on /graphql.",
                    code="BAD_REQUEST",
                ) from e
            raise RequestError(
                405,
                "GET runs queries only; send mutations with POST.",
                code="METHOD_NOT_ALLOWED",
                headers={"Allow": "POST"},
            ) from e
        except CannotGetOperationTypeError as e:
            raise HTTPException(400, e.as_http_error_reason()) from e
        except MissingQueryError as e:
            raise RequestError(
                400, "Send the GraphQL document in the `query` parameter.", code="BAD_REQUEST"
            ) from e

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        assert isinstance(request, Request)  # a WebSocket has no sub-response
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = request.state.graphql_media
        # process_result sees only the request; it sets the status on this sub-response.
        request.state.sub_response = sub_response
        return sub_response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            result.errors = [limit_error(e, self.settings) for e in result.errors]
        response = await super().process_result(request, result)
        if _is_request_error(result):
            response.pop("data", None)
            if request.state.graphql_media == GRAPHQL_RESPONSE:
                request.state.sub_response.status_code = 400
        return response

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        """What Strawberry's answer is (its JSON, status 200 unless the sub-response set one,
        the sub-response's headers) with the negotiated media type, built as the ASGI
        messages it sends: Starlette's Response built the headers twice over and rewrote
        one, 2% of a lookup by ID."""
        body = self.encode_json(response_data)
        content = body.encode() if isinstance(body, str) else body
        media = f"{sub_response.media_type or JSON}; charset=utf-8".encode("latin-1")
        headers = [
            (b"content-length", str(len(content)).encode("latin-1")),
            (b"content-type", media),
            *(h for h in sub_response.headers.raw if h[0] not in _OWN_HEADERS),
        ]
        return _Answer(content, sub_response.status_code or 200, headers, sub_response.background)

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError as e:  # its messages name the problem, not the input
            reason = "it is not UTF-8" if "UTF-8" in e.msg else e.msg
            raise HTTPException(400, f"The body is not valid JSON: {reason}.") from e

    def decode_json(self, data: str | bytes) -> object:
        return self.parse_json(data)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData) and not isinstance(data.operation_name, str | None):
            raise HTTPException(400, "`operationName` must be a string or null.")
        return data
