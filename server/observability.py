"""What operators see: one JSON log line per request and Prometheus metrics at /metrics.

`OperationObserver` (a schema extension) notes which GraphQL operation ran and the error codes
it ended with on the request's state; `RequestObserver` (ASGI middleware, outermost) times the
whole request, reads that note, writes the log line and counts the request. Neither records
personal data: no variables, no token claims, no client address.

With several worker processes (`portal serve --workers N`) each worker keeps its own numbers;
`prometheus_client`'s multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by `portal serve`) adds
them up at scrape time, so /metrics answers for the whole server from any worker.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
from graphql import GraphQLError
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from tortoise import connections

from graph.core.errors import is_variables_error
from resolvers.jobs.worker import refresh_gauges

access_log = logging.getLogger("portal.access")

# Client-chosen operation names become label values; cap them so a client cannot grow the
# metrics without bound. Names past the cap, and names that are not GraphQL names, count as
# "other"; operations without a name as "anonymous".
MAX_OPERATION_NAMES = 200
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
_ROUTES = (
    "/graphql",
    "/healthz",
    "/readyz",
    "/metrics",
    "/imports/template.csv",
    "/exports/organizations.csv",
)
# Probes and scrapes arrive every few seconds; logging them would drown the real traffic.
_QUIET = frozenset({"/healthz", "/readyz", "/metrics"})
GAUGE_DELAY_SECONDS = 0.2

REQUESTS = Counter(
    "portal_requests",
    "HTTP requests by route, GraphQL operation and outcome.",
    ["route", "operation", "outcome"],
)
LATENCY = Histogram(
    "portal_request_duration_seconds",
    "Time from the request's arrival to the end of its response, by route and operation.",
    ["route", "operation"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
POOL = Gauge(
    "portal_db_pool_connections",
    "Database connections of this process by state (in_use, idle, max); SQLite has one.",
    ["state"],
    multiprocess_mode="livesum",
)

LIVE = Gauge(
    "portal_live",
    "Live subscriptions of this process: open WebSocket connections and running subscriptions.",
    ["state"],
    multiprocess_mode="livesum",
)


class OperationObserver(SchemaExtension):
    """Leaves `{name, type, error_codes}` on the request's state for `RequestObserver`."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context.context
        request = getattr(context, "request", None)
        if request is None:
            return
        try:
            name = self.execution_context.operation_name
            kind = self.execution_context.operation_type.value
        except Exception:  # no parsable document: the request failed before any operation
            name, kind = None, None
        result = self.execution_context.result
        errors = (result.errors if result else None) or self.execution_context.pre_execution_errors
        note_operation(request, name, kind, error_codes(errors))


def error_codes(errors: list[GraphQLError] | None) -> list[str]:
    """The codes the access log and the metrics record for an operation's errors."""
    return sorted({_code(e) for e in errors or []})


def note_operation(request: Any, name: str | None, kind: str | None, codes: list[str]) -> None:
    """What `RequestObserver` logs and counts about the request's GraphQL operation."""
    request.state.graphql_operation = {"name": name, "type": kind, "error_codes": codes}


def _code(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    if code:
        return str(code)
    if is_variables_error(error):
        return "BAD_USER_INPUT"
    # No code: a document the schema refused, or an unexpected (masked) error.
    return "INVALID_REQUEST" if error.original_error is None else "INTERNAL"


class RequestObserver:
    """Times every HTTP request, logs it as one JSON line and counts it."""

    def __init__(self, app: ASGIApp, log_requests: bool = True) -> None:
        self.app = app
        self.log_requests = log_requests
        self.names: set[str] = set()
        # The metrics' children by label values: `labels()` validates and locks on every
        # call. Bounded like the labels themselves (routes x names x outcomes).
        self._counted: dict[tuple[str, str, str], Any] = {}
        self._timed: dict[tuple[str, str], Any] = {}
        self._gauge_due: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        response: dict[str, Any] = {"status": 500, "request_id": None}

        async def observe(message: Message) -> None:
            if message["type"] == "http.response.start":
                response["status"] = message["status"]
                for key, value in message.get("headers", []):
                    if key.lower() == b"x-request-id":
                        response["request_id"] = value.decode("latin-1")
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            self._record(scope, response, time.perf_counter() - started)

    def _record(self, scope: Scope, response: dict[str, Any], seconds: float) -> None:
        path: str = scope["path"]
        route = path if path in _ROUTES else "other"
        if path.startswith("/graphiql/"):
            route = "/graphiql"
        operation: dict[str, Any] = scope.get("state", {}).get("graphql_operation") or {}
        name = self._label(operation.get("name")) if operation else ""
        status = response["status"]
        outcome = _outcome(status, operation.get("error_codes", []))
        counted = self._counted.get((route, name, outcome))
        if counted is None:
            counted = self._counted[route, name, outcome] = REQUESTS.labels(route, name, outcome)
        counted.inc()
        timed = self._timed.get((route, name))
        if timed is None:
            timed = self._timed[route, name] = LATENCY.labels(route, name)
        timed.observe(seconds)
        self._update_gauge_soon()
        if not self.log_requests or path in _QUIET:
            return
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "event": "request",
            "request_id": response["request_id"],
            "method": scope["method"],
            "route": route,
            "status": status,
            # The name comes from the client: only a GraphQL name is written, never other text.
            "operation": _loggable(operation.get("name")),
            "operation_type": operation.get("type"),
            "outcome": outcome,
            "error_codes": operation.get("error_codes", []),
            "duration_ms": round(seconds * 1000, 2),
        }
        # Every value is ASCII (codes, IDs, checked names), so orjson's UTF-8 is what
        # json.dumps wrote, at a fifth of the cost.
        write_access_line(orjson.dumps(line).decode())

    def _update_gauge_soon(self) -> None:
        """The pool gauge as it is a moment after this request: once per burst of requests
        rather than three gauge writes each, and still up to date once the burst is over
        (with several workers a scrape reads each process's last written value)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a synchronous caller): now, then
            update_pool_gauge()
            return
        # Due on this loop: it will run. Due on another (a closed one: tests, asyncio.run
        # again), it never will, so it is armed here.
        if self._gauge_due is loop:
            return
        self._gauge_due = loop

        def update() -> None:
            self._gauge_due = None
            update_pool_gauge()

        loop.call_later(GAUGE_DELAY_SECONDS, update)

    def _label(self, name: str | None) -> str:
        if name is None:
            return "anonymous"
        if not _NAME.fullmatch(name):
            return "other"
        if name not in self.names:
            if len(self.names) >= MAX_OPERATION_NAMES:
                return "other"
            self.names.add(name)
        return name


def _loggable(name: str | None) -> str | None:
    return name if name is None or _NAME.fullmatch(name) else "other"


def _outcome(status: int, error_codes: list[str]) -> str:
    """ok; failed (top-level GraphQL errors, listed in error_codes); rejected (4xx before any
    operation ran); error (5xx)."""
    if status >= 500:
        return "error"
    if error_codes:
        return "failed"
    if status >= 400:
        return "rejected"
    return "ok"


def update_pool_gauge() -> None:
    try:
        client = connections.get("default")
    except Exception:  # the ORM is not up (yet, or any more): nothing to report
        return
    pool = getattr(client, "_pool", None)
    if pool is not None:  # asyncpg
        idle = pool.get_idle_size()
        in_use, size = pool.get_size() - idle, pool.get_max_size()
    else:  # SQLite: one connection behind a lock
        lock = getattr(client, "_lock", None)
        in_use = 1 if lock is not None and lock.locked() else 0
        idle, size = 1 - in_use, 1
    POOL.labels("in_use").set(in_use)
    POOL.labels("idle").set(idle)
    POOL.labels("max").set(size)


def update_live_gauge(request: Request) -> None:
    live = getattr(request.app.state, "live", None)  # server/view.py's endpoint, once started
    hub = getattr(live, "hub", None)
    if live is not None and hub is not None:
        LIVE.labels("connections").set(live.live_connections)
        LIVE.labels("subscriptions").set(hub.count)


async def metrics(request: Request) -> Response:
    update_live_gauge(request)
    try:
        await refresh_gauges()
    except Exception:  # the database is away: the scrape still answers, without job counts
        pass
    # After the job counts' own query, and with no await before the page is written: a
    # request's deferred update cannot land between (it would show that query's connection).
    update_pool_gauge()
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


_BARE = logging.Formatter("%(message)s")


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class _WebSocketLines(logging.Filter):
    """uvicorn logs each WebSocket handshake ('<client address> - "WebSocket <path and query>"
    [accepted]') on its error logger at INFO: the client's address and whatever it put in the
    query string. Subscriptions are counted in /metrics instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith('%s - "WebSocket '))


def quiet_websocket_lines() -> None:
    server_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _WebSocketLines) for f in server_log.filters):
        server_log.addFilter(_WebSocketLines())


def write_access_line(line: str) -> None:
    """`access_log.info(line)`. When the log is as configure_access_log leaves it (its one
    handler writing the bare message to stderr, no filters), the line is written as that
    handler would write it, without a LogRecord and the handler's lock: the logging module's
    path was a third of the cost of observing a request."""
    handlers = access_log.handlers
    if (
        len(handlers) == 1
        and isinstance(handlers[0], _Stderr)
        and handlers[0].formatter is _BARE
        and handlers[0].level <= logging.INFO
        and not handlers[0].filters
        and not access_log.filters
        and not access_log.propagate
        and access_log.isEnabledFor(logging.INFO)
    ):
        try:
            sys.stderr.write(line + "\n")
            return
        except (OSError, ValueError, AttributeError):
            pass  # a closed or missing stderr: logging reports it its own way, once
    access_log.info(line)


def configure_access_log() -> None:
    """One JSON object per line on stderr, whatever the root logger is set up to do."""
    if not any(isinstance(h, _Stderr) for h in access_log.handlers):
        handler = _Stderr()
        handler.setFormatter(_BARE)
        access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False
