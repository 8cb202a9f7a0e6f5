"""Where webhooks may go: https URLs whose host resolves only to public addresses.

Checked twice: when an endpoint is registered (a clear INVALID_FORMAT on ["url"]) and on every
connection (`transport.py` resolves the host itself and connects to the address it checked),
so a name that later resolves to 127.0.0.1 or 169.254.169.254 (DNS rebinding) reaches nothing.
`allow_private` (PORTAL_WEBHOOK_ALLOW_PRIVATE, development and tests) lifts both rules.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL_LENGTH = 2048
RESOLVE_TIMEOUT_SECONDS = 5.0
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedUrl(ValueError):
    """The URL may not be used; the message says why (no secrets, no internals)."""


def is_public(address: Address) -> bool:
    """Globally routable unicast. IPv4-mapped (::ffff:10.0.0.1), NAT64-embedded and 6to4
    IPv6 addresses are judged by the IPv4 address inside them."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour
        if inner is None and address in _NAT64:
            inner = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if inner is not None:
            return is_public(inner)
    return address.is_global and not address.is_multicast


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def parse(url: str, *, allow_private: bool) -> tuple[str, int]:
    """The host and port of an acceptable URL, or RefusedUrl."""
    if len(url) > MAX_URL_LENGTH:
        raise RefusedUrl(f"Use at most {MAX_URL_LENGTH} characters.")
    if any(ch.isspace() or ord(ch) < 0x20 for ch in url):
        raise RefusedUrl("Remove spaces and control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedUrl("Give a valid URL.") from exc
    schemes = {"https", "http"} if allow_private else {"https"}
    if parts.scheme not in schemes:
        raise RefusedUrl("Use an https:// URL.")
    if not parts.hostname:
        raise RefusedUrl("Give the URL's host.")
    if parts.username is not None or parts.password is not None:
        raise RefusedUrl("Leave credentials out of the URL; verify signatures instead.")
    if parts.fragment:
        raise RefusedUrl("Leave the #fragment out of the URL.")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int) -> list[Address]:
    """Every address `host` resolves to (a literal address is itself)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError, UnicodeError) as exc:
        raise RefusedUrl("The URL's host does not resolve.") from exc
    found: list[Address] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    if not found:
        raise RefusedUrl("The URL's host does not resolve.")
    return found


async def allowed_addresses(host: str, port: int, *, allow_private: bool) -> list[Address]:
    """The addresses to connect to: all of them must be public (one private address among
    public ones is refused too, so round-robin DNS cannot smuggle it in)."""
    addresses = await resolve(host, port)
    if not allow_private and not all(is_public(a) for a in addresses):
        raise RefusedUrl("The URL must point at a public address.")
    return addresses


async def check_url(url: str, *, allow_private: bool) -> None:
    """Registration-time check: raises RefusedUrl with a message for the form."""
    host, port = parse(url, allow_private=allow_private)
    await allowed_addresses(host, port, allow_private=allow_private)
