"""How errors reach clients: user errors as payload data, everything unexpected masked."""

from __future__ import annotations

import logging

import strawberry
from graphql import GraphQLError

from resolvers.errors import DomainError, ErrorCode, Unavailable

log = logging.getLogger("portal.errors")

UserErrorCode = strawberry.enum(
    ErrorCode, name="UserErrorCode", description="Stable machine-readable reason for a user error."
)


@strawberry.type(description="A problem with the input that the client can fix.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path inside `input` (e.g. ["primaryContact", "email"]); null: whole request.'
    )
    code: UserErrorCode = strawberry.field(description="Stable machine-readable reason.")
    message: str = strawberry.field(description="Human-readable explanation, in English.")


def user_errors(error: DomainError) -> list[UserError]:
    return [
        UserError(field=list(e.field) if e.field else None, code=e.code, message=e.message)
        for e in error.errors
    ]


def should_mask(error: GraphQLError) -> bool:
    """Mask what escaped as a Python exception (a bug); keep every error raised as GraphQLError.

    Parse, validation and variable errors, UNAUTHENTICATED and bad paging are meant for the
    client; anything else could carry internals (SQL, paths) and is logged instead.
    """
    original = error.original_error
    if original is None or isinstance(original, GraphQLError | Unavailable):
        return False
    log.error("unexpected error at %s", error.path, exc_info=original)
    return True
