"""Idempotency keys, for any operation: the same key and the same request give the same result.

A key is scoped to the acting organization and names its operation (`Key`): the first call
that succeeds remembers its result's ID with the key (`remember`, written with the result's
own rows, so seeing one means both); a later call with that key finds it (`find_replay`) and
answers with that result instead of doing the work again. Only a call that succeeded is
remembered, so a corrected request may be sent again with the same key. The same key sent
for another operation, or with a different request, is refused (IDEMPOTENCY_KEY_REUSED).

createCustomer uses it today; the fingerprint of a request is the operation's name and its
normalized input, so update, import and webhook-endpoint creation use it the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, is_dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from models import IdempotencyRecord
from resolvers import sql
from resolvers.atomic import atomic
from resolvers.errors import ErrorCode, FieldError, IdempotencyKeyReused

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


@dataclass(frozen=True, slots=True)
class Key:
    """A client's key for one call of `operation`, in the acting organization `scope`."""

    scope: UUID
    operation: str
    value: str
    fingerprint: str

    @classmethod
    def of(cls, *, scope: UUID, operation: str, value: str, request: object) -> Key:
        """`request`: what the call asks for, normalized (dataclasses, IDs, plain values)."""
        return cls(scope, operation, value, fingerprint(operation, request))


def fingerprint(operation: str, request: object) -> str:
    """A digest of the operation and what it asks for: equal requests, equal fingerprints."""
    payload = json.dumps([operation, request], sort_keys=True, default=_plain)
    return hashlib.sha256(payload.encode()).hexdigest()


def _plain(value: Any) -> object:
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else str(value)


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
_decode_result = sql.decoder(IdempotencyRecord, ("customer_id",))


async def find_replay(key: Key, *, now: datetime, forget_expired: bool = False) -> UUID | None:
    """The ID of the result an earlier call with this key produced, if it asked for the same.

    `forget_expired` first drops the scope's expired records (one of them may hold this very
    key, which would block the unique (scope, key) pair when it is remembered again): on
    PostgreSQL in the same statement, on SQLite (no DELETE in WITH) just before. The two
    conditions split the records at `now`, so whatever held this key is either found here or
    gone. `portal serve` purges everyone's on start."""
    postgres = sql.is_postgres(sql.client())
    if forget_expired and not postgres:
        await atomic(lambda: sql.fetch(_FORGET_SQL, key.scope, now))
    statement = _FORGET_AND_FIND_SQL if forget_expired and postgres else _FIND_SQL
    rows = await sql.fetch(statement, key.scope, key.value, now)
    if not rows:
        return None
    if rows[0]["request_hash"] != key.fingerprint:
        raise IdempotencyKeyReused(
            "This idempotency key was already used for a different request; use a new key.",
            field=FIELD,
        )
    result_id: UUID = _decode_result(rows[0])["customer_id"]
    return result_id


def remember(key: Key, *, result_id: UUID, now: datetime, ttl: int) -> sql.Row:
    """The row that remembers `key` and its result, to write with the result's own rows.

    The result's ID is stored in `customer_id`, a reference to the organization: every
    operation using keys today answers with one. An operation whose result is something else
    (a webhook endpoint, an import) generalizes that column in its migration."""
    return sql.Row(
        "idempotency_record",
        {
            "id": uuid4(),
            "scope_org_id": key.scope,
            "key": key.value,
            "request_hash": key.fingerprint,
            "customer_id": result_id,
            "created_at": now,
            "expires_at": now + timedelta(seconds=ttl),
        },
    )


async def purge_expired(now: datetime | None = None) -> int:
    return await IdempotencyRecord.filter(expires_at__lte=now or datetime.now(UTC)).delete()
