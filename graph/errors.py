"""How errors reach clients: user errors as payload data, everything unexpected masked."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError

from resolvers.errors import DomainError, ErrorCode

log = logging.getLogger("portal.errors")

UserErrorCode = strawberry.enum(
    ErrorCode, name="UserErrorCode", description="Stable machine-readable reason for a user error."
)

# Top-level error codes a client may see unmasked; everything else is a bug and is hidden.
PUBLIC_CODES = frozenset({"UNAUTHENTICATED", "BAD_USER_INPUT"})


@strawberry.type(description="A problem with the input that the client can fix.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path inside `input`, e.g. ["primaryContact", "email"]; null: the whole request.'
    )
    code: UserErrorCode = strawberry.field(description="Stable machine-readable reason.")
    message: str = strawberry.field(description="Human-readable explanation, in English.")


def user_errors(error: DomainError) -> list[UserError]:
    return [
        UserError(field=list(e.field) if e.field else None, code=e.code, message=e.message)
        for e in error.errors
    ]


def should_mask(error: GraphQLError) -> bool:
    """Mask unless the error is one we raised on purpose (or graphql-core's own input errors)."""
    original = error.original_error
    if original is None:
        return False  # parse and validation errors: about the query, never about our internals
    if isinstance(original, GraphQLError):
        return (original.extensions or {}).get("code") not in PUBLIC_CODES
    log.error("unexpected error in %s", error.path, exc_info=original)
    return True
