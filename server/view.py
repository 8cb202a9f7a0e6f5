"""The GraphQL endpoint the app mounts: the schema, the offline GraphiQL page, and who asks.

Authentication happens here, once per request: a bearer token becomes the request's Actor
(or the reason it did not), which every resolver then reads from the typed Context.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Mapping
from datetime import timedelta

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.http.websocket_origin import is_same_origin
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from graph.core.context import Context
from graph.schema import build_schema
from resolvers.live.hub import Hub
from resolvers.tokens import TokenService
from server.auth import NOT_ACTABLE, ORGANIZATION_HEADER, acting_in, authenticate
from server.caching import ReferenceDataCache
from server.graphiql import OfflineGraphiQL
from server.headers import header
from server.http import GraphQLView, RequestError
from server.live import (
    FORBIDDEN,
    TRY_AGAIN_LATER,
    UNAUTHORIZED,
    LiveConnection,
    LiveSocket,
    Refused,
    parameter,
)
from server.observability import OperationObserver
from settings import Settings

# A client's X-Request-ID is echoed and written into the status history, so only a short
# token of safe characters is kept; anything else is replaced by one of ours. fullmatch, as
# `$` would let a trailing newline through.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_ORGANIZATION = ORGANIZATION_HEADER.encode()
# Request IDs name a request in logs and error messages; they guard nothing, so they need to
# be unique, not unguessable: 128 bits from a generator seeded once per process (and again in
# a forked child), 32 hex digits as uuid4().hex gave, without a system call each (uuid4 was
# 1.5% of a lookup by ID).
_IDS = random.Random(os.urandom(16))
os.register_at_fork(after_in_child=lambda: _IDS.seed(os.urandom(16)))


def new_request_id() -> str:
    return f"{_IDS.getrandbits(128):032x}"


class GraphQLEndpoint(OfflineGraphiQL, GraphQLView):
    # Subscriptions: graphql-transport-ws only (the legacy graphql-ws protocol has no
    # authenticated connection_init here), handled by server/live.py.
    graphql_transport_ws_handler_class = LiveConnection
    websocket_adapter_class = LiveSocket  # type: ignore[assignment]

    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(
                introspection=settings.introspection,
                fast_executor=settings.fast_executor,
                compiled_reads=settings.compiled_reads,
                prepared=settings.prepared_operations,
                # Notes the operation's name and error codes for the access log and metrics;
                # Cache-Control on GET queries that only read countries/currencies.
                extensions=[OperationObserver, ReferenceDataCache],
            ),
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            # importCustomers' file (the GraphQL multipart request spec); server/http.py
            # takes multipart only with a bearer token, so plain HTML forms stay out.
            multipart_uploads_enabled=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(
                seconds=settings.subscription_init_timeout_seconds
            ),
            max_subscriptions_per_connection=settings.subscription_max_per_connection,
            # Browsers on other sites may open a socket only from the CORS allow-list.
            allowed_origins=settings.cors_origins,
        )
        self.settings = settings
        self.tokens: TokenService | None = None
        # Set by the lifespan (server/app.py): the process's event hub.
        self.hub: Hub | None = None
        self.live_connections = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            return await super().__call__(scope, receive, send)
        websocket = WebSocket(scope, receive=receive, send=send)
        if self.live_connections >= self.settings.subscription_max_connections:
            # Accepted, so the client reads why: a refused handshake only says 403.
            await websocket.accept(subprotocol=GRAPHQL_TRANSPORT_WS_PROTOCOL)
            await websocket.close(
                code=TRY_AGAIN_LATER,
                reason="Too many subscription connections (PORTAL_SUBSCRIPTION_MAX_CONNECTIONS)",
            )
            return
        self.live_connections += 1
        try:
            await self.run(websocket)
        finally:
            self.live_connections -= 1

    def _check_websocket_origin(self, request: WebSocket) -> bool:
        # Strawberry's rule (no Origin: not a browser; same origin; the allow-list), without
        # its log line, which quotes the client's Origin and Host headers.
        origin = request.headers.get("origin")
        if origin is None or request.headers.get("sec-fetch-site") == "same-origin":
            return True
        if is_same_origin(origin, request.headers.get("host")):
            return True
        return self.is_websocket_origin_allowed(request, origin)

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
        if isinstance(request, WebSocket):
            # Who is connecting is known at connection_init (authenticate_connection).
            return Context(
                request=request,
                response=request,
                settings=self.settings,
                request_id=new_request_id(),
                actor=None,
                hub=self.hub,
            )
        assert isinstance(request, Request) and isinstance(response, Response)
        request_id = header(request.scope, b"x-request-id") or ""
        if not _REQUEST_ID.fullmatch(request_id):
            request_id = new_request_id()
        response.headers["x-request-id"] = request_id
        assert self.tokens is not None, "the lifespan sets up tokens"
        actor, auth_error = await authenticate(self.tokens, header(request.scope, b"authorization"))
        token_actor = None
        selected = header(request.scope, _ORGANIZATION)
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

    async def authenticate_connection(
        self, context: Context, payload: Mapping[str, object]
    ) -> float | None:
        """A subscription connection's connection_init: its token (and X-Organization-ID) as
        the HTTP path reads the headers. Sets the context's actor; returns when the token
        expires. Raises Refused with the close code and reason."""
        assert self.tokens is not None, "the lifespan sets up tokens"
        header = parameter(payload, "Authorization")
        if header is None or header == "":
            raise Refused(
                UNAUTHORIZED, 'Unauthorized: send {"Authorization": "Bearer <JWT>"} in the payload'
            )
        if not isinstance(header, str):
            raise Refused(FORBIDDEN, "Forbidden: Authorization must be a string")
        actor, auth_error = await authenticate(self.tokens, header)
        if actor is None:
            raise Refused(FORBIDDEN, f"Forbidden: {auth_error or 'the token was refused'}")
        selected = parameter(payload, "X-Organization-ID")
        if selected is not None:
            if not isinstance(selected, str):
                raise Refused(FORBIDDEN, "Forbidden: X-Organization-ID must be a string")
            context.token_actor, acting = actor, await acting_in(actor, selected)
            if acting is None:
                raise Refused(
                    FORBIDDEN, "Forbidden: X-Organization-ID names no organization you may act in"
                )
            actor = acting
        context.actor = actor
        context.fresh()
        _, _, token = header.partition(" ")
        return self.tokens.expires_at(token.strip())
