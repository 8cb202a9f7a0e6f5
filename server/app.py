"""The ASGI application: GraphQL endpoint, health probes, and the lifespan that owns the ORM."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

from graph.core.context import Context
from graph.schema import build_schema
from models.database import tortoise_config
from resolvers.jobs.tasks import build_worker
from resolvers.tokens import TokenService, token_service
from server.auth import authenticate
from server.caching import ReferenceDataCache
from server.graphiql import OfflineGraphiQL, graphiql_routes
from server.http import GraphQLView
from server.middleware import http_middleware
from server.observability import OperationObserver, RequestObserver, configure_access_log, metrics
from server.spreadsheets import spreadsheet_routes
from settings import Settings

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class GraphQLEndpoint(OfflineGraphiQL, GraphQLView):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(
                introspection=settings.introspection,
                fast_executor=settings.fast_executor,
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
        if not _REQUEST_ID.match(request_id):
            request_id = uuid.uuid4().hex
        response.headers["x-request-id"] = request_id
        assert self.tokens is not None, "the lifespan sets up tokens"
        actor, auth_error = await authenticate(self.tokens, request.headers.get("authorization"))
        return Context(
            request=request,
            response=response,
            settings=self.settings,
            request_id=request_id,
            actor=actor,
            auth_error=auth_error,
        )


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    if settings.access_log:
        configure_access_log()
    graphql = GraphQLEndpoint(settings)
    assert isinstance(graphql.schema, strawberry.Schema)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await connections.get("default").execute_query("SELECT 1")
        except Exception:  # any failure means "not ready"; the probe must answer, not crash
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # RegisterTortoise sets the ORM context that requests run in; a bare Tortoise.init
        # here would leave requests without one (Tortoise 1.x keeps it in a context variable).
        async with RegisterTortoise(app, config=tortoise_config(settings)):
            graphql.tokens = await token_service(settings)
            app.state.tokens = graphql.tokens
            # Started inside the ORM's context, so the worker's tasks inherit it.
            worker = build_worker(settings) if settings.jobs_in_server else None
            if worker is not None:
                worker.start()
            try:
                yield
            finally:
                # uvicorn runs this after the requests in flight ended (or timed out).
                if worker is not None:
                    await worker.stop(grace_seconds=settings.shutdown_timeout_seconds)

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *spreadsheet_routes(graphql.schema),
            *([Route("/metrics", metrics)] if settings.metrics else []),
            *graphiql_routes(settings.graphiql),
        ],
        # Outermost, so the log line and the latency cover everything the server does.
        middleware=[
            Middleware(RequestObserver, log_requests=settings.access_log),
            *http_middleware(settings),
        ],
        lifespan=lifespan,
    )
