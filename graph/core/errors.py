"""How errors reach clients: user errors as payload data, everything unexpected masked."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.errors import DomainError, ErrorCode
from settings import Settings

log = logging.getLogger("portal.errors")

# Registered in place under the GraphQL name clients know; the Python class stays ErrorCode.
strawberry.enum(
    ErrorCode, name="UserErrorCode", description="Stable machine-readable reason for a user error."
)


@strawberry.type(description="A problem with the input that the client can fix.")
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path inside `input` (e.g. ["primaryContact", "email"]); null: whole request.'
    )
    code: ErrorCode = strawberry.field(description="Stable machine-readable reason.")
    message: str = strawberry.field(description="Human-readable explanation, in English.")


class BadUserInput(GraphQLError):
    """Arguments that type-check but make no sense (a negative page size, a foreign cursor)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT"})


def errors_field() -> Any:
    """Every payload's `errors` field, declared once."""
    return strawberry.field(
        default_factory=list, description="Every problem; when non-empty nothing was written."
    )


def user_errors(error: DomainError) -> list[UserError]:
    return [
        UserError(field=list(e.field) if e.field else None, code=e.code, message=e.message)
        for e in error.errors
    ]


# Top-level error codes a client can act on (sign in, ask for a role, shrink the query, retry).
CLIENT_CODES = frozenset(
    {"UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT", "LIMIT_EXCEEDED", "SERVICE_UNAVAILABLE"}
)
_SUGGESTION = re.compile(r"\s*Did you mean .*\?\s*$", re.DOTALL)


def should_mask(error: GraphQLError, *, strict: bool = False) -> bool:
    """Mask what escaped as a Python exception (a bug); keep errors raised on purpose.

    Parse, validation and variable errors (no original error) are meant for the client, and so
    is every error whose code is in CLIENT_CODES (UNAUTHENTICATED, bad paging, a busy database,
    ...). Other GraphQLErrors raised by our code are shown in development and masked when
    `strict` (production): they could carry internals (SQL, paths).
    """
    original = error.original_error
    if original is None:
        return False
    if (error.extensions or {}).get("code") in CLIENT_CODES:
        return False
    return strict or not isinstance(original, GraphQLError)


def _settings(context: object) -> tuple[Settings, str]:
    settings = getattr(context, "settings", None)
    request_id = getattr(context, "request_id", "")
    return (settings if isinstance(settings, Settings) else Settings()), request_id


class ErrorPolicy(SchemaExtension):
    """Masks unexpected errors, logging each with the request ID the client also receives, and
    drops "Did you mean ...?" hints (they map the schema for a stranger) when suggestions are
    switched off."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        settings, request_id = _settings(self.execution_context.context)
        result.errors = [_apply(e, settings, request_id) for e in result.errors]


def _apply(error: GraphQLError, settings: Settings, request_id: str) -> GraphQLError:
    if should_mask(error, strict=settings.mask_errors):
        log.error(
            "masked error request_id=%s path=%s: %s",
            request_id,
            error.path,
            error.message,
            exc_info=error.original_error,
        )
        return GraphQLError(
            f"Internal error. Quote request ID {request_id} when you report it.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
    if not settings.field_suggestions and error.original_error is None:
        error.message = _SUGGESTION.sub("", error.message)
    return error
