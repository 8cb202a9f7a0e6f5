"""Idempotency keys for createCustomer, scoped to the caller's organization.

Only a request that created a customer is remembered, so a corrected form may be sent again
with the same key. A key used again with a different input is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from uuid import UUID

from models import IdempotencyRecord
from resolvers.errors import ErrorCode, FieldError, IdempotencyKeyReused
from resolvers.validation import CustomerDraft

MAX_KEY_LENGTH = 255
FIELD = ("idempotencyKey",)


def check_key(key: str | None) -> list[FieldError]:
    if key is None:
        return []
    if not key.strip():
        return [FieldError(FIELD, ErrorCode.REQUIRED, "The idempotency key must not be blank.")]
    if len(key) > MAX_KEY_LENGTH:
        return [FieldError(FIELD, ErrorCode.TOO_LONG, f"Use at most {MAX_KEY_LENGTH} characters.")]
    if not key.isprintable():
        return [FieldError(FIELD, ErrorCode.INVALID_FORMAT, "Remove control characters.")]
    return []


def request_hash(reseller_id: UUID, draft: CustomerDraft) -> str:
    """A fingerprint of what the request asks for, after normalisation."""
    payload = json.dumps([str(reseller_id), asdict(draft)], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


async def find_replay(*, scope: UUID, key: str, fingerprint: str, now: datetime) -> UUID | None:
    """The customer an earlier request with this key created, if the input is the same."""
    record = (
        await IdempotencyRecord.filter(scope_org_id=scope, key=key, expires_at__gt=now)
        .first()
        .values("request_hash", "customer_id")
    )
    if record is None:
        return None
    if record["request_hash"] != fingerprint:
        raise IdempotencyKeyReused(
            "This idempotency key was already used for a different customer; use a new key.",
            field=FIELD,
        )
    return record["customer_id"]


async def remember(
    *, scope: UUID, key: str, fingerprint: str, customer_id: UUID, now: datetime, ttl: int
) -> None:
    # Expired records are dead: drop the caller's (one of them may hold this very key, which
    # would block the unique (scope, key) pair). `portal serve` purges everyone's on start.
    await IdempotencyRecord.filter(scope_org_id=scope, expires_at__lte=now).delete()
    await IdempotencyRecord.create(
        scope_org_id=scope,
        key=key,
        request_hash=fingerprint,
        customer_id=customer_id,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl),
    )


async def purge_expired(now: datetime | None = None) -> int:
    return await IdempotencyRecord.filter(expires_at__lte=now or datetime.now(UTC)).delete()
