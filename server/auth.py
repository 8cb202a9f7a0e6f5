"""Who asks, shared by the GraphQL endpoint and the plain HTTP routes (the spreadsheets):
the bearer token's actor, and the organization `X-Organization-ID` moves it into."""

from __future__ import annotations

from resolvers import global_id
from resolvers.actors import Actor, act_in, load_actor
from resolvers.tokens import TokenError, TokenService

ORGANIZATION_HEADER = "x-organization-id"
# One answer for an ID outside the subtree, one that does not exist and one that is not an
# ID, so the header cannot be used to find out what exists (403 FORBIDDEN wherever it is sent).
NOT_ACTABLE = (
    "X-Organization-ID names no organization you may act in: use your token's "
    "organization or one below it (viewer.organizations lists them)."
)


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


async def acting_in(actor: Actor, selected: str) -> Actor | None:
    """`X-Organization-ID`: `actor` acting in the token's organization or one of its
    descendants, as a token of that organization would; None for anything else, which every
    caller answers 403 FORBIDDEN with `NOT_ACTABLE`."""
    org_id = global_id.decode_uuid(selected.strip(), "Organization")
    return await act_in(actor, org_id) if org_id else None
