"""The typed per-request context every resolver receives, and the `Info` alias for it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import strawberry
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from graph.core.loaders import Loaders
from resolvers.actors import Actor, Permission
from resolvers.live.hub import Hub
from settings import Settings


class Unauthenticated(GraphQLError):
    """No valid bearer token: not something a form can fix, so a top-level error."""

    def __init__(self, reason: str = "Sign in: send a valid bearer token.") -> None:
        super().__init__(reason, extensions={"code": "UNAUTHENTICATED"})


class Forbidden(GraphQLError):
    """Signed in, but no role grants what the field needs: ask for a role, not a form fix."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(
            f"Your roles do not grant {permission.value}.",
            extensions={"code": "FORBIDDEN", "permission": permission.value},
        )


@dataclass(slots=True)
class Context:
    # A subscription's context holds its WebSocket in both (server/live.py).
    request: Request | WebSocket
    response: Response | WebSocket
    settings: Settings
    request_id: str
    actor: Actor | None
    # Set when a token was sent but refused; a bad token is never treated as "no token".
    auth_error: str | None = None
    # The token's own actor when X-Organization-ID moved `actor` into another organization.
    token_actor: Actor | None = None
    # Subscriptions only: the process's event hub, and how to end the connection when the hub
    # drops the subscriber (`close(reason)`, with resolvers.live.hub's SLOW or SHUTDOWN).
    hub: Hub | None = None
    close: Callable[[str], Awaitable[None]] | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.actor)

    def fresh(self) -> None:
        """New DataLoaders: a subscription shows each event with what is true at that time,
        not with what its earlier events loaded."""
        self.loaders = Loaders(self.actor)

    @property
    def person(self) -> Actor | None:
        """The caller as their token says, wherever they act: the switcher lists from here."""
        return self.token_actor or self.actor

    def may_read_contacts(self) -> bool:
        """Whether the caller may read a contact person's details (personal data): the rule
        `Organization.primaryContact` applies, for every other place that shows them."""
        return self.actor is not None and self.actor.can(Permission.READ)

    def require_actor(self, permission: Permission | None = Permission.READ) -> Actor:
        """The signed-in actor, holding `permission` (READ unless said otherwise): deny by
        default, so a token whose roles grant nothing reads nothing."""
        if self.actor is None:
            raise Unauthenticated(self.auth_error or "Sign in: send a valid bearer token.")
        if permission is not None and not self.actor.can(permission):
            raise Forbidden(permission)
        return self.actor


Info = strawberry.Info[Context, None]
