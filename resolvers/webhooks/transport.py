"""The HTTP client webhooks are sent with: it connects only to addresses it has checked.

httpx resolves names inside its network backend, so the check lives there: this backend
resolves the host itself, refuses unless every address is public (addresses.py), and connects
to the checked address. TLS still verifies the certificate against the host name (httpcore
passes the URL's host as server_hostname), so pinning the address changes nothing else.
Redirects are never followed (a 3xx is a failed attempt) and reads stop at MAX_BODY_BYTES.
"""

from __future__ import annotations

import typing

import httpcore
import httpx
from httpcore._backends.anyio import AnyIOBackend

from resolvers.webhooks.addresses import allowed_addresses

MAX_BODY_BYTES = 64 * 1024
USER_AGENT = "partner-portal-webhooks/1"


class CheckedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._inner = AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await allowed_addresses(host, port, allow_private=self.allow_private)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                last = error
        assert last is not None
        raise last

    async def connect_unix_socket(self, *args: typing.Any, **kwargs: typing.Any) -> typing.NoReturn:
        raise httpcore.ConnectError("webhooks never use unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def client(*, timeout: float, allow_private: bool) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(retries=0)
    # httpx builds its pool without a way to pass a network backend; this is the same pool
    # (same TLS context and limits) with ours.
    old = transport._pool
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=old._ssl_context,
        max_connections=old._max_connections,
        max_keepalive_connections=old._max_keepalive_connections,
        keepalive_expiry=old._keepalive_expiry,
        http1=True,
        http2=False,
        retries=0,
        network_backend=CheckedBackend(allow_private=allow_private),
    )
    return httpx.AsyncClient(
        transport=transport,
        follow_redirects=False,
        timeout=httpx.Timeout(timeout),
        headers={"user-agent": USER_AGENT},
        trust_env=False,  # no proxies from the environment: they would bypass the check
    )


async def read_bounded(response: httpx.Response, limit: int = MAX_BODY_BYTES) -> bytes:
    """At most `limit` bytes of the body; the rest is never read."""
    taken = bytearray()
    async for chunk in response.aiter_raw():
        taken += chunk[: limit - len(taken)]
        if len(taken) >= limit:
            break
    return bytes(taken)
