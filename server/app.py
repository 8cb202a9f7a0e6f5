"""The ASGI application: routes, health probes, and the lifespan that owns the ORM."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
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

    return Starlette(
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
