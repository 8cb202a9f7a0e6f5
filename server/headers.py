"""A request's headers, read once: the first of each by lower-case name, kept in its scope.

Starlette's `Headers` scans and decodes the header list on every lookup and raises and
catches KeyError for a missing one (2% of a lookup by ID); the body limit, the GraphQL view
and authentication read five headers a request through these instead.
"""

from __future__ import annotations

from starlette.types import Scope

_HEADERS = "portal.headers"


def header_map(scope: Scope) -> dict[bytes, bytes]:
    """The request's headers by (lower-case) name, the first of each as Starlette's
    `Headers.get` answers, read once per request and kept in its scope: each lookup through
    `Headers` scans and decodes the list again, and a missing one raises and catches
    KeyError (2% of a lookup by ID)."""
    found: dict[bytes, bytes] | None = scope.get(_HEADERS)
    if found is None:
        found = {}
        for name, value in scope["headers"]:
            found.setdefault(name, value)
        scope[_HEADERS] = found
    return found


def header(scope: Scope, name: bytes) -> str | None:
    value = header_map(scope).get(name)
    return None if value is None else value.decode("latin-1")
