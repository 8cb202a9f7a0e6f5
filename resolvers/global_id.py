"""Opaque global IDs: base64url of "<Type>:<uuid>". UUIDs reveal no counts and no tenants."""

from __future__ import annotations

import base64
import binascii
from uuid import UUID


def encode(type_name: str, id_: UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{id_}".encode()).decode().rstrip("=")


def decode(global_id: str, expected_type: str | None = None) -> tuple[str, UUID] | None:
    """(type, uuid), or None for anything that is not one of our IDs (of the expected type)."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode().partition(":")
        id_ = UUID(raw)
    except (ValueError, UnicodeError, binascii.Error):
        return None
    if expected_type is not None and type_name != expected_type:
        return None
    # One ID, one spelling: base64 skips characters outside its alphabet and UUID() takes
    # braces, URNs and missing dashes, so "['<id>']" decoded as <id>.
    if encode(type_name, id_) != global_id.rstrip("="):
        return None
    return type_name, id_


def decode_uuid(global_id: str, expected_type: str) -> UUID | None:
    decoded = decode(global_id, expected_type)
    return decoded[1] if decoded else None
