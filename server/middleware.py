"""ASGI middleware in front of every route: the request body's size and time limits and the
CORS allow-list."""

from __future__ import annotations

import asyncio
from contextlib import nullcontext

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.headers import header_map
from server.http import JSON, error_body
from server.protocol import BODY_RECEIVED
from settings import Settings, SettingsError


class BodySizeLimit:
    """Answers 413 when the body is larger than `max_bytes`, whether the client declared its
    length or streams it in chunks; the app never sees more than the limit. A body that has
    not arrived within `timeout` seconds answers 408: a client sending a byte a second would
    otherwise hold its connection for as long as it likes (the head has its own limit, in
    server/protocol.py)."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, timeout: float = 30.0, upload_max_bytes: int = 0
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        # A multipart upload (an import file) has its own bound, and only with an
        # Authorization header, so an anonymous client cannot make us hold a file.
        self.upload_max_bytes = upload_max_bytes or max_bytes

    def _limit(self, scope: Scope) -> tuple[int, str, str]:
        headers = header_map(scope)
        content_type = headers.get(b"content-type", b"").lower()
        if content_type.startswith(b"multipart/form-data") and b"authorization" in headers:
            return self.upload_max_bytes, "importMaxBytes", "PORTAL_IMPORT_MAX_BYTES"
        return self.max_bytes, "maxBodyBytes", "PORTAL_MAX_BODY_BYTES"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self._limit(scope)
        declared = header_map(scope).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit[0]:
            return await self._too_large(send, *limit)
        chunks: list[bytes] = []
        size, more = 0, True
        # A timer costs more than the rest of this function; with the body in hand none is due.
        deadline = nullcontext() if scope.get(BODY_RECEIVED) else asyncio.timeout(self.timeout)
        try:
            async with deadline:
                while more:
                    message = await receive()
                    if message["type"] != "http.request":  # the client went away
                        return None
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit[0]:
                        return await self._too_large(send, *limit)
                    chunks.append(chunk)
                    more = message.get("more_body", False)
        except TimeoutError:
            return await self._too_slow(send)
        body, replayed = b"".join(chunks), False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send, max_bytes: int, name: str, setting: str) -> None:
        message = f"The request body is larger than the limit of {max_bytes} bytes ({setting})."
        await _refuse(send, 413, message, name, max_bytes)

    async def _too_slow(self, send: Send) -> None:
        message = (
            f"The request body did not arrive within {self.timeout:g} s "
            "(PORTAL_BODY_TIMEOUT_SECONDS)."
        )
        await _refuse(send, 408, message, "bodyTimeoutSeconds", self.timeout)


async def _refuse(send: Send, status: int, message: str, limit: str, most: float) -> None:
    body = error_body(message, {"code": "LIMIT_EXCEEDED", "limit": limit, "max": most})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", f"{JSON}; charset=utf-8".encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


MULTIPART_OVERHEAD_BYTES = 64 * 1024


def http_middleware(settings: Settings) -> list[Middleware]:
    """CORS first (a preflight needs no body), then the body limit. Without an allow-list no
    CORS headers are sent at all, so browsers keep other sites out."""
    if "*" in settings.cors_origins and settings.cors_allow_credentials:
        raise SettingsError("CORS: a wildcard origin together with credentials is refused")
    stack = []
    if settings.cors_origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_credentials=settings.cors_allow_credentials,
                allow_methods=["GET", "POST"],
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    "X-Request-ID",
                    "X-Organization-ID",
                ],
                expose_headers=["X-Request-ID"],
                max_age=600,
            )
        )
    stack.append(
        Middleware(
            BodySizeLimit,
            max_bytes=settings.max_body_bytes,
            timeout=settings.body_timeout_seconds,
            # The file plus the multipart request's `operations` and `map` fields.
            upload_max_bytes=settings.import_max_bytes + MULTIPART_OVERHEAD_BYTES,
        )
    )
    return stack
