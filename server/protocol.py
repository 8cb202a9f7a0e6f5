"""The HTTP/1.1 connection under the app: how much of a request head is read, and for how long.

uvicorn's httptools protocol reads a request line and headers of any size (a 64 MiB
`Authorization` header was read, parsed and answered 200 after 7 s, stalling every other
client meanwhile) and waits forever for a head that arrives one byte at a time. This subclass
stops reading at `PORTAL_MAX_HEADER_BYTES` and answers 431, and closes a connection whose head
has not arrived within `PORTAL_HEADER_TIMEOUT_SECONDS` (408 when part of it came). The app
cannot do this itself: it first sees a request once its whole head has been read.

A connection that upgrades to a WebSocket (subscriptions, server/live.py) gets its limits
here too: the largest message a client may send (PORTAL_WS_MAX_MESSAGE_BYTES; uvicorn's default
is 16 MiB) and the ping every PORTAL_WS_PING_INTERVAL_SECONDS that a live client answers within
PORTAL_WS_PING_TIMEOUT_SECONDS, or is dropped (a dead peer would otherwise hold its socket).

`portal serve` runs uvicorn with it; with uvicorn's own command pass
`--http server.protocol:BoundedHttpToolsProtocol`.
"""

from __future__ import annotations

import asyncio
import copy
import json
from functools import cache
from typing import Any, ClassVar

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from settings import Settings

# After refusing a head, how long the rest of what the client sends is read and dropped.
# Closing at once, with its bytes unread, would reset the connection, and a reset can make
# the client lose the answer it was about to read.
LINGER_SECONDS = 2.0
# Set in a request's scope once the server holds its whole body: receiving it cannot wait, so
# the body's time limit (server/middleware.py) needs no timer.
BODY_RECEIVED = "portal.body_received"


@cache
def _from_environment() -> Settings:
    # Worker processes (`portal serve --workers N`) import this class by name and build the
    # app from the environment, so they read their limits from it as well.
    return Settings.from_env()


def _refusal(status: int, reason: str, message: str, limit: str, most: float) -> bytes:
    body = json.dumps(
        {
            "errors": [
                {
                    "message": message,
                    "extensions": {"code": "LIMIT_EXCEEDED", "limit": limit, "max": most},
                }
            ]
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    settings: ClassVar[Settings | None] = None  # None: read from the environment

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = self.settings or _from_environment()
        if self.ws_protocol_class is not None:
            self.ws_protocol_class = _bounded_websocket(self.ws_protocol_class, settings)  # type: ignore[arg-type]
        self.max_head_bytes = settings.max_header_bytes
        self.head_timeout = settings.header_timeout_seconds
        self.reading_head = True
        self.head_bytes = 0
        self.head_timer: asyncio.TimerHandle | None = None
        self.refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()  # a connection that never sends a head is closed as well

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return None
        if not self.reading_head:
            return super().data_received(data)
        if self.head_timer is None:
            self._start_head_timer()
        room = self.max_head_bytes - self.head_bytes
        if len(data) <= room:
            self.head_bytes += len(data)
            return super().data_received(data)
        # Feed only what fits: the parser must not see (or buffer) more of the head.
        self.head_bytes = self.max_head_bytes
        super().data_received(data[:room])
        if self.transport.is_closing():
            return None
        if self.reading_head:
            return self._refuse_head_too_large()
        return self.data_received(data[room:])

    def on_headers_complete(self) -> None:
        self.reading_head = False
        self._stop_head_timer()
        super().on_headers_complete()
        cycle = self.cycle
        # No cycle: an upgrade. A HEAD response has no body write to carry its head.
        if (
            cycle is not None
            and cycle.transport is self.transport
            and self.scope["method"] != "HEAD"
        ):
            cycle.transport = _OneWrite(self.transport, cycle)  # type: ignore[assignment]

    def on_message_complete(self) -> None:
        super().on_message_complete()
        if self.cycle is not None and not self.cycle.more_body:
            # Usually before the app first runs: the whole request came in one read.
            self.cycle.scope[BODY_RECEIVED] = True  # type: ignore[literal-required]
        # The next bytes are the next request's head; its timer starts when they arrive.
        self.reading_head, self.head_bytes = True, 0

    def _start_head_timer(self) -> None:
        self._stop_head_timer()
        self.head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if self.transport.is_closing() or not self.reading_head:
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined head waits behind a response still being written; wait for it.
            self._start_head_timer()
            return
        if not self.head_bytes:  # nothing sent at all: no answer is owed
            self.transport.close()
            return
        self._refuse(
            _refusal(
                408,
                "Request Timeout",
                f"The request head did not arrive within {self.head_timeout:g} s "
                "(PORTAL_HEADER_TIMEOUT_SECONDS).",
                "headerTimeoutSeconds",
                self.head_timeout,
            )
        )

    def _refuse_head_too_large(self) -> None:
        self._refuse(
            _refusal(
                431,
                "Request Header Fields Too Large",
                f"The request line and headers are larger than the limit of "
                f"{self.max_head_bytes} bytes (PORTAL_MAX_HEADER_BYTES).",
                "maxHeaderBytes",
                self.max_head_bytes,
            )
        )

    def _refuse(self, answer: bytes) -> None:
        """Answer, send FIN, drop what still arrives, and close after LINGER_SECONDS (or when
        the client closes its side first)."""
        self._stop_head_timer()
        self.refused = True
        self.transport.write(answer)
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER_SECONDS, self.transport.close)
        else:
            self.transport.close()


class _OneWrite:
    """The transport as one response sees it: its status line and headers are held until
    the first body bytes and go out with them, in one write (uvicorn writes each on its own:
    two system calls and two TCP segments for every answer, measured 3% of a lookup's CPU).
    Writes before the response starts (`100 Continue`) and after its head pass straight
    through; closing sends what is held first."""

    __slots__ = ("_cycle", "_head", "_head_seen", "_transport")

    def __init__(self, transport: asyncio.Transport, cycle: Any) -> None:
        self._transport = transport
        self._cycle = cycle
        self._head: bytes | None = None
        self._head_seen = False

    def write(self, data: bytes) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head + data)
        elif not self._head_seen and self._cycle.response_started:
            # uvicorn sets response_started just before it writes the head.
            self._head_seen = True
            self._head = data
        else:
            self._transport.write(data)

    def close(self) -> None:
        if self._head is not None:
            head, self._head = self._head, None
            self._transport.write(head)
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


_WS_CONFIGS: dict[int, Config] = {}


def _websocket_config(config: Config, settings: Settings) -> Config:
    """The server's config with the WebSocket limits of `settings` (one copy per config)."""
    bounded = _WS_CONFIGS.get(id(config))
    if bounded is None:
        bounded = copy.copy(config)
        bounded.ws_max_size = settings.ws_max_message_bytes
        bounded.ws_ping_interval = settings.ws_ping_interval_seconds
        bounded.ws_ping_timeout = settings.ws_ping_timeout_seconds
        _WS_CONFIGS[id(config)] = bounded
    return bounded


@cache
def _bounded_websocket(base: type[Any], settings: Settings) -> type[Any]:
    def __init__(self: Any, *args: Any, config: Config, **kwargs: Any) -> None:
        base.__init__(self, *args, config=_websocket_config(config, settings), **kwargs)

    return type(base.__name__, (base,), {"__init__": __init__})


@cache
def bounded_protocol(settings: Settings) -> type[BoundedHttpToolsProtocol]:
    """The protocol class with the limits of `settings` (one process, settings in hand)."""
    return type("BoundedHttpToolsProtocol", (BoundedHttpToolsProtocol,), {"settings": settings})
