"""Idempotency keys for createCustomer, scoped to the caller's organization.

Only a request that created a customer is remembered, so a corrected form may be sent again
with the same key. A key used again with a different input is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from models import IdempotencyRecord
from resolvers import sql
from resolvers.atomic import atomic
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


_FIND_SQL = """
SELECT "request_hash", "customer_id" FROM "idempotency_record"
WHERE "scope_org_id" = $1 AND "key" = $2 AND "expires_at" > $3 LIMIT 1
"""
_FORGET_SQL = 'DELETE FROM "idempotency_record" WHERE "scope_org_id" = $1 AND "expires_at" <= $2'
# PostgreSQL only (SQLite has no DELETE in WITH): forgetting and the lookup in one statement.
_FORGET_AND_FIND_SQL = f"""
WITH forgotten AS (
    DELETE FROM "idempotency_record" WHERE "scope_org_id" = $1 AND "expires_at" <= $3
)
{_FIND_SQL}
"""
_decode_customer_id = sql.decoder(IdempotencyRecord, ("customer_id",))


async def find_replay(
    *, scope: UUID, key: str, fingerprint: str, now: datetime, forget_expired: bool = False
) -> UUID | None:
    """The customer an earlier request with this key created, if the input is the same.

    `forget_expired` first drops the caller's expired records (one of them may hold this very
    key, which would block the unique (scope, key) pair when it is remembered again): on
    PostgreSQL in the same statement, on SQLite (no DELETE in WITH) just before. The two
    conditions split the caller's records at `now`, so whatever held this key is either found
    here or gone. `portal serve` purges everyone's on start."""
    postgres = sql.is_postgres(sql.client())
    if forget_expired and not postgres:
        await atomic(lambda: sql.fetch(_FORGET_SQL, scope, now))
    statement = _FORGET_AND_FIND_SQL if forget_expired and postgres else _FIND_SQL
    rows = await sql.fetch(statement, scope, key, now)
    if not rows:
        return None
    if rows[0]["request_hash"] != fingerprint:
        raise IdempotencyKeyReused(
            "This idempotency key was already used for a different customer; use a new key.",
            field=FIELD,
        )
    customer_id: UUID = _decode_customer_id(rows[0])["customer_id"]
    return customer_id


def record(
    *, scope: UUID, key: str, fingerprint: str, customer_id: UUID, now: datetime, ttl: int
) -> sql.Row:
    """The row that remembers `key`, for `sql.insert` with the customer's own rows."""
    return sql.Row(
        "idempotency_record",
        {
            "id": uuid4(),
            "scope_org_id": scope,
            "key": key,
            "request_hash": fingerprint,
            "customer_id": customer_id,
            "created_at": now,
            "expires_at": now + timedelta(seconds=ttl),
        },
    )


async def purge_expired(now: datetime | None = None) -> int:
    return await IdempotencyRecord.filter(expires_at__lte=now or datetime.now(UTC)).delete()
