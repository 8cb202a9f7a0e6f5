"""Live subscriptions over graphql-transport-ws on /graphql: one connection, as the server sees it.

Strawberry's handler speaks the protocol; this subclass adds what it leaves to the app:

- authentication in `connection_init`: `{"Authorization": "Bearer <JWT>", "X-Organization-ID":
  "<ID>"}` (keys in any case), verified as the HTTP path verifies the header (server/auth.py,
  server/view.py). No token: closed with 4401; a refused token or organization: 4403. The
  connection is closed (4403) when its token expires, as no request after that would pass;
- every message is checked for the protocol's shape before Strawberry reads it, so a
  malformed one closes the connection with 4400 instead of raising inside the handler;
- only subscriptions run here (queries and mutations go over HTTP, with its limits), each with
  its own context and fresh DataLoaders per event (graph/live/);
- a subscriber the hub drops is closed saying why: 1013 when it read too slowly, 1001 when the
  server shuts down;
- failures are logged by exception class, never with what the client sent.

Connection-level limits (how many connections, message size, pings) are in server/view.py and
server/protocol.py.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncGenerator, Mapping
from contextlib import suppress
from dataclasses import replace
from typing import Protocol, cast

import orjson
from starlette.websockets import WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import (
    NonJsonMessageReceived,
    NonTextMessageReceived,
    WebSocketDisconnected,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
)
from strawberry.utils.aio import aclosing

from graph.core.context import Context
from resolvers.errors import Unavailable
from resolvers.live.hub import SHUTDOWN, SLOW

log = logging.getLogger("portal.live")
MAX_ID_LENGTH = 128
# Close codes: graphql-transport-ws's own (4400, 4401, 4403) and RFC 6455's.
INVALID, UNAUTHORIZED, FORBIDDEN = 4400, 4401, 4403
GOING_AWAY, TRY_AGAIN_LATER = 1001, 1013
DROPPED = {
    SLOW: (
        TRY_AGAIN_LATER,
        "Dropped: events came faster than they were read (PORTAL_SUBSCRIPTION_QUEUE_SIZE)",
    ),
    SHUTDOWN: (GOING_AWAY, "The server is shutting down"),
}


class Authenticator(Protocol):
    """What the view (server/view.py) does for a connection_init."""

    async def authenticate_connection(
        self, context: Context, payload: Mapping[str, object]
    ) -> float | None: ...


class Refused(Exception):
    """connection_init is refused: close with `code` and `reason` (at most 123 bytes)."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def parameter(payload: Mapping[str, object], name: str) -> object:
    """A connection_init parameter by name, in any case (like an HTTP header)."""
    wanted = name.lower()
    return next((v for k, v in payload.items() if isinstance(k, str) and k.lower() == wanted), None)


def _is_optional(value: object, kind: type) -> bool:
    return value is None or isinstance(value, kind)


def well_formed(message: object) -> bool:
    """Whether `message` has the shape graphql-transport-ws gives its type; unknown types are
    left to Strawberry (it closes with 4400 for those too)."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return False
    kind = message["type"]
    if kind in {"subscribe", "complete"}:
        id_ = message.get("id")
        if not isinstance(id_, str) or not 0 < len(id_) <= MAX_ID_LENGTH:
            return False
    if kind == "subscribe":
        payload = message.get("payload")
        return (
            isinstance(payload, dict)
            and isinstance(payload.get("query"), str)
            and _is_optional(payload.get("variables"), dict)
            and _is_optional(payload.get("operationName"), str)
            and _is_optional(payload.get("extensions"), dict)
        )
    return True


class LiveSocket(ASGIWebSocketAdapter):
    """Messages decoded by orjson, and anything that is not a JSON text message reported as
    the protocol's invalid message (the view's JSON decoder raises HTTP errors); messages
    sent as text frames."""

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                try:
                    message = orjson.loads(text)
                except orjson.JSONDecodeError:
                    raise NonJsonMessageReceived from None
                yield message
        except KeyError:  # a binary frame
            raise NonTextMessageReceived from None
        except WebSocketDisconnect:
            pass

    async def send_json(self, message: Mapping[str, object]) -> None:
        # Text frames, as the protocol says: the view's orjson encoder returns bytes, which
        # Strawberry would send as binary frames (graphql-ws in Node refuses those).
        try:
            text = orjson.dumps(message).decode()
        except TypeError:  # what UTF-8 cannot hold (a lone surrogate echoed in an error)
            text = json.dumps(message)
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error


class LiveConnection(BaseGraphQLTransportWSHandler[Context, None]):
    """One graphql-transport-ws connection (the view hands it the connection's Context)."""

    expiry: asyncio.Task[None] | None = None
    closing = False

    async def handle_message(self, message: Message) -> None:
        if not well_formed(message):
            await self.handle_invalid_message("Invalid message")
            return
        await super().handle_message(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if self.connection_timed_out:
            return
        if self.connection_init_timeout_task:
            self.connection_init_timeout_task.cancel()
        payload = message.get("payload")
        payload = {} if payload is None else payload
        if not isinstance(payload, dict):
            await self.close(INVALID, "Invalid connection init payload")
            return
        if self.connection_init_received:
            await self.close(4429, "Too many initialisation requests")
            return
        self.connection_init_received = True
        try:
            view = cast(Authenticator, self.view)
            expires = await view.authenticate_connection(self.context, payload)
        except Refused as refused:
            await self.close(refused.code, refused.reason)
            return
        except Unavailable:
            await self.close(TRY_AGAIN_LATER, "The database is busy; try again in a moment")
            return
        await self.send_message({"type": "connection_ack"})
        self.connection_acknowledged = True
        if expires is not None:
            self.expiry = asyncio.create_task(self._expire(expires))

    async def _expire(self, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.time()))
        await self.close(FORBIDDEN, "Forbidden: the token expired")

    async def close(self, code: int, reason: str) -> None:
        if self.closing:
            return
        self.closing = True
        with suppress(Exception):  # the client may be gone already
            await self.websocket.close(code=code, reason=reason)

    async def handle_invalid_message(self, error_message: str) -> None:
        await self.close(INVALID, error_message)

    async def shutdown(self) -> None:
        if self.expiry is not None:
            self.expiry.cancel()
        await super().shutdown()

    async def dropped(self, reason: str) -> None:
        code, text = DROPPED.get(reason, (GOING_AWAY, "Closed"))
        await self.close(code, text)

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        # Strawberry's own, with a context per operation (its loaders are renewed per event)
        # and subscriptions only; failures are logged by class, never with the message.
        context = replace(self.context, close=self.dropped)
        try:
            result_source = await self.schema.subscribe(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            if not self.closing:
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
        except (_OperationStreamClosed, WebSocketDisconnected):
            return
        except Exception as error:
            if not self.closing:
                log.error("live: subscription failed error=%s", type(error).__name__)
            self.operations.pop(operation.id, None)

    async def handle_task_exception(self, error: Exception) -> None:
        log.error("live: connection task failed error=%s", type(error).__name__)
