"""Bearer-token authentication, shared by the GraphQL endpoint and the plain HTTP routes."""

from __future__ import annotations

from resolvers.actors import Actor, load_actor
from resolvers.tokens import TokenError, TokenService


async def authenticate(tokens: TokenService, header: str | None) -> tuple[Actor | None, str | None]:
    """The actor behind an `Authorization` header, or why it has none: (None, None) without
    a header, (None, reason) for a header we refuse; a bad token never counts as no token."""
    if not header:
        return None, None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, "Send the token as `Authorization: Bearer <JWT>`."
    try:
        claims = tokens.verify(token.strip())
    except TokenError:
        return None, "The token is invalid or expired."
    actor = await load_actor(subject=claims.subject, org_id=claims.org_id, roles=claims.roles)
    if actor is None:
        return None, "The token's organization does not exist."
    return actor, None
