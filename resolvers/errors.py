"""Domain errors: what a caller did wrong, as data the API can hand back.

    DomainError                 carries a list of FieldError
     ├── InvalidInput           the form has problems (REQUIRED, INVALID_FORMAT, DUPLICATE, ...)
     ├── NotFound               missing, or not visible to the actor (the two look the same)
     ├── Forbidden              visible, but the actor's role or a rule does not allow it
     ├── InvalidTransition      the status does not allow the requested change
     ├── IdempotencyKeyReused   the key was used before for a different input
     ├── TaxIdNotVerified       approval waits for the registry (PORTAL_APPROVAL_REQUIRES_...)
     ├── StaleVersion           the customer changed since the form was loaded
     └── NotEditable            the customer is ARCHIVED: read-only

    Unavailable                 not the caller's fault and not a bug: the database stayed busy

Resolvers raise these; the GraphQL layer turns DomainErrors into a payload's `errors` list and
Unavailable into a top-level error. Anything else that escapes a resolver is a bug and is
masked before it reaches a client.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# Raised by the pool, so defined with it; re-exported as part of this tree.
from models.database import Unavailable as Unavailable


class ErrorCode(StrEnum):
    """Stable, machine-readable reasons; clients switch on these, so never rename one."""

    REQUIRED = "REQUIRED"
    TOO_SHORT = "TOO_SHORT"
    TOO_LONG = "TOO_LONG"
    INVALID_FORMAT = "INVALID_FORMAT"
    INVALID_CHECKSUM = "INVALID_CHECKSUM"
    COUNTRY_MISMATCH = "COUNTRY_MISMATCH"
    UNKNOWN_COUNTRY = "UNKNOWN_COUNTRY"
    UNKNOWN_SUBDIVISION = "UNKNOWN_SUBDIVISION"
    UNSUPPORTED_CURRENCY = "UNSUPPORTED_CURRENCY"
    INVALID_EMAIL = "INVALID_EMAIL"
    INVALID_PHONE = "INVALID_PHONE"
    DUPLICATE = "DUPLICATE"
    NOT_FOUND = "NOT_FOUND"
    FORBIDDEN = "FORBIDDEN"
    INVALID_STATUS_TRANSITION = "INVALID_STATUS_TRANSITION"
    IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"
    STALE_VERSION = "STALE_VERSION"
    NOT_EDITABLE = "NOT_EDITABLE"
    TAX_ID_NOT_VERIFIED = "TAX_ID_NOT_VERIFIED"
    LIMIT_REACHED = "LIMIT_REACHED"
    TOO_LARGE = "TOO_LARGE"  # an uploaded file past PORTAL_IMPORT_MAX_BYTES
    TOO_MANY_ROWS = "TOO_MANY_ROWS"  # an uploaded file past PORTAL_IMPORT_MAX_ROWS


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem. `field` is the path inside the operation's input (API names), or None."""

    field: tuple[str, ...] | None
    code: ErrorCode
    message: str


class DomainError(Exception):
    code: ErrorCode = ErrorCode.INVALID_FORMAT

    def __init__(self, errors: Iterable[FieldError] | str, field: tuple[str, ...] | None = None):
        if isinstance(errors, str):
            errors = [FieldError(field, self.code, errors)]
        self.errors: list[FieldError] = list(errors)
        super().__init__("; ".join(e.message for e in self.errors))


class InvalidInput(DomainError):
    code = ErrorCode.INVALID_FORMAT


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN


class InvalidTransition(DomainError):
    code = ErrorCode.INVALID_STATUS_TRANSITION


class IdempotencyKeyReused(DomainError):
    code = ErrorCode.IDEMPOTENCY_KEY_REUSED


class StaleVersion(DomainError):
    code = ErrorCode.STALE_VERSION


class NotEditable(DomainError):
    code = ErrorCode.NOT_EDITABLE


class TaxIdNotVerified(DomainError):
    code = ErrorCode.TAX_ID_NOT_VERIFIED
