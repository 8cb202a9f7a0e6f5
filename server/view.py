"""The GraphQL endpoint the app mounts: the schema, the offline GraphiQL page, and who asks.

Authentication happens here, once per request: a bearer token becomes the request's Actor
(or the reason it did not), which every resolver then reads from the typed Context.
"""

from __future__ import annotations

import re
import uuid

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graph.core.context import Context
from graph.schema import build_schema
from resolvers.tokens import TokenService
from server.auth import NOT_ACTABLE, ORGANIZATION_HEADER, acting_in, authenticate
from server.caching import ReferenceDataCache
from server.graphiql import OfflineGraphiQL
from server.http import GraphQLView, RequestError
from server.observability import OperationObserver
from settings import Settings

# A client's X-Request-ID is echoed and written into the status history, so only a short
# token of safe characters is kept; anything else is replaced by one of ours. fullmatch, as
# `$` would let a trailing newline through.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


class GraphQLEndpoint(OfflineGraphiQL, GraphQLView):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(
                introspection=settings.introspection,
                fast_executor=settings.fast_executor,
                compiled_reads=settings.compiled_reads,
                # Notes the operation's name and error codes for the access log and metrics;
                # Cache-Control on GET queries that only read countries/currencies.
                extensions=[OperationObserver, ReferenceDataCache],
            ),
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            # importCustomers' file (the GraphQL multipart request spec); server/http.py
            # takes multipart only with a bearer token, so plain HTML forms stay out.
            multipart_uploads_enabled=True,
        )
        self.settings = settings
        self.tokens: TokenService | None = None

    def encode_json(self, data: object) -> str | bytes:
        # orjson: ~10x faster than json.dumps on a page of organizations (bench/). It refuses
        # what UTF-8 cannot hold (a lone surrogate echoed from the request in an error);
        # the stock encoder escapes that as \\udXXX, so it answers those instead.
        try:
            return orjson.dumps(data)
        except TypeError:
            return super().encode_json(data)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        assert isinstance(request, Request) and isinstance(response, Response)
        request_id = request.headers.get("x-request-id", "")
        if not _REQUEST_ID.fullmatch(request_id):
            request_id = uuid.uuid4().hex
        response.headers["x-request-id"] = request_id
        assert self.tokens is not None, "the lifespan sets up tokens"
        actor, auth_error = await authenticate(self.tokens, request.headers.get("authorization"))
        token_actor = None
        selected = request.headers.get(ORGANIZATION_HEADER)
        if selected is not None and actor is not None:
            token_actor, actor = actor, await acting_in(actor, selected)
            if actor is None:
                raise RequestError(403, NOT_ACTABLE, code="FORBIDDEN")
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            request_id=request_id,
            actor=actor,
            auth_error=auth_error,
            token_actor=token_actor,
        )
