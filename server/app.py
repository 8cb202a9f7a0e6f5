"""The ASGI application: routes, health probes, and the lifespan that owns the ORM."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from tortoise import connections
from tortoise.contrib.starlette import RegisterTortoise

from graph.schema import build_schema
from graph.webhooks.payload import renderer
from models.database import tortoise_config
from resolvers.jobs.tasks import build_worker
from resolvers.live.feeds import build_hub
from resolvers.tokens import token_service
from resolvers.webhooks.delivery import Render
from server.graphiql import graphiql_routes
from server.middleware import http_middleware
from server.observability import (
    RequestObserver,
    configure_access_log,
    metrics,
    quiet_websocket_lines,
)
from server.spreadsheets import spreadsheet_routes
from server.view import GraphQLEndpoint
from settings import Settings


class PortalApp(Starlette):
    """Starlette, with GraphQL over HTTP handed to its endpoint in front of the router.

    Starlette routes every request through its exception middleware, its router and the
    route (each a coroutine layer, the first also wrapping `send`): measured 4% of a lookup
    by ID. /graphql over HTTP needs none of them (its endpoint answers every refusal itself),
    so it goes straight from the middleware to the endpoint; everything else, WebSockets on
    /graphql included, is routed as always."""

    def __init__(self, graphql: ASGIApp, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.graphql = graphql

    def build_middleware_stack(self) -> ASGIApp:
        # Starlette's own stack (ServerErrorMiddleware, the app's middleware,
        # ExceptionMiddleware, the router), with the fork under the app's middleware.
        error_handler = None
        handlers: dict[Any, Any] = {}
        for key, value in self.exception_handlers.items():
            if key in (500, Exception):
                error_handler = value
            else:
                handlers[key] = value
        routed = ExceptionMiddleware(self.router, handlers=handlers, debug=self.debug)
        app: ASGIApp = _GraphQLFirst(self.graphql, routed)
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        if self.max_body_size is not None:  # unused here (BodySizeLimit is ours), kept as is
            app = RequestBodyLimitMiddleware(app, max_body_size=self.max_body_size)
        return ServerErrorMiddleware(app, handler=error_handler, debug=self.debug)


class _GraphQLFirst:
    __slots__ = ("graphql", "routed")

    def __init__(self, graphql: ASGIApp, routed: ASGIApp) -> None:
        self.graphql = graphql
        self.routed = routed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Exactly the requests the router would hand the endpoint: /graphql, GET or POST,
        # with no root path to strip (behind a prefix the router decides).
        if (
            scope["type"] == "http"
            and scope["path"] == "/graphql"
            and scope["method"] in _GRAPHQL_METHODS
            and not scope.get("root_path")
        ):
            return await self.graphql(scope, receive, send)
        return await self.routed(scope, receive, send)


_GRAPHQL_METHODS = frozenset({"GET", "POST"})


def webhook_renderer(settings: Settings) -> Render:
    return renderer(settings, build_schema(fast_executor=settings.fast_executor))


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    if settings.access_log:
        configure_access_log()
    quiet_websocket_lines()
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
            # Live subscriptions' fan-out; it opens its LISTEN connection (or starts polling
            # SQLite) when the first subscriber arrives.
            graphql.hub = build_hub(settings)
            app.state.live = graphql
            # Started inside the ORM's context, so the worker's tasks inherit it.
            worker = (
                build_worker(settings, render=webhook_renderer(settings))
                if settings.jobs_in_server
                else None
            )
            if worker is not None:
                worker.start()
            try:
                yield
            finally:
                # uvicorn runs this after the requests in flight ended (or timed out); it has
                # closed the WebSockets already (1012), the hub ends what is left.
                await graphql.hub.stop()
                if worker is not None:
                    await worker.stop(grace_seconds=settings.shutdown_timeout_seconds)

    return PortalApp(
        graphql,
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            # Subscriptions: graphql-transport-ws (server/live.py).
            WebSocketRoute("/graphql", graphql),
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
