"""How errors reach clients: user errors as payload data, everything unexpected masked."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import GraphQLError, VariableDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.schema.exceptions import InvalidOperationTypeError

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
# graphql-core's hints ("Did you mean 'iLike', 'like' or 'in'?") sit in the middle of messages
# too; the names they quote are GraphQL names, so none holds a question mark.
_SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")


def is_variables_error(error: GraphQLError) -> bool:
    """A variable's value did not coerce: an unknown input field, a bad enum value or
    DateTime, a missing variable. graphql-core ties these to the variable's definition and
    keeps the reason as `original_error`, which made them look like bugs to be masked."""
    return error.path is None and any(
        isinstance(node, VariableDefinitionNode) for node in error.nodes or ()
    )


def _where(error: BaseException) -> str:
    """The chain of exception types and the frames they were raised in (file, line,
    function), without their messages: those can quote input (a driver's "invalid input for
    query argument $1: …")."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        frames = "".join(
            f'  File "{f.filename}", line {f.lineno}, in {f.name}\n'
            for f in traceback.extract_tb(current.__traceback__)
        )
        parts.append(f"{kind.__module__}.{kind.__qualname__}\n{frames}")
        current = current.__cause__ or current.__context__
    return "caused by ".join(reversed(parts))


def should_mask(error: GraphQLError, *, strict: bool = False) -> bool:
    """Mask what escaped as a Python exception (a bug); keep errors raised on purpose.

    Parse, validation and variables errors are meant for the client in every mode, and so
    is every error whose code is in CLIENT_CODES (UNAUTHENTICATED, bad paging, a busy database,
    ...). Other GraphQLErrors raised by our code are shown in development and masked when
    `strict` (production): they could carry internals (SQL, paths).
    """
    original = error.original_error
    if original is None or is_variables_error(error):
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
        self.streamed = False
        yield
        result = self.execution_context.result
        if self.streamed or result is None or not result.errors:
            return  # a subscription's results were each handled as they were sent
        result.errors = apply_error_policy(result.errors, self.execution_context.context)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Each result of a subscription, before it is sent (on_operation ends only when the
        subscription does)."""
        self.streamed = True
        if getattr(result, "errors", None):
            result.errors = apply_error_policy(result.errors, self.execution_context.context)
        yield


def apply_error_policy(errors: list[GraphQLError], context: object) -> list[GraphQLError]:
    """The errors as the client receives them (ErrorPolicy's rules, for every path that
    answers an operation)."""
    settings, request_id = _settings(context)
    return [_apply(e, settings, request_id) for e in errors]


def _apply(error: GraphQLError, settings: Settings, request_id: str) -> GraphQLError:
    if isinstance(error.original_error, InvalidOperationTypeError):
        # A query or mutation sent over the subscriptions' WebSocket: the client's choice.
        return GraphQLError(
            "Only subscriptions run over WebSocket; send queries and mutations over HTTP.",
            extensions={"code": "BAD_REQUEST"},
        )
    if should_mask(error, strict=settings.mask_errors):
        # Codes and IDs only: the message and the exceptions' texts can hold input values.
        original = error.original_error
        log.error(
            "masked error request_id=%s path=%s\n%s",
            request_id,
            error.path,
            _where(original) if original is not None else "",
        )
        return GraphQLError(
            f"Internal error. Quote request ID {request_id} when you report it.",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
        )
    if is_variables_error(error):
        error.extensions = {**(error.extensions or {}), "code": "BAD_USER_INPUT"}
    if not settings.field_suggestions:
        error.message = _SUGGESTION.sub("", error.message)
    return error
