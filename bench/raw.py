"""The raw ceiling: a bare Starlette app, one SQL statement per request, the API's JSON.

This is what the API is measured against: no GraphQL, no ORM, no authentication, no tenancy
filter and no validation. On PostgreSQL the database builds the whole response body
(`json_build_object`/`json_agg`, global IDs and timestamps included) and its bytes go out as
they are; nothing is decoded or encoded in Python. SQLite (no base64 in SQL) gets rows and
orjson. On PostgreSQL every request, writes included, is one statement (writes chain their
INSERTs in a CTE); SQLite has no multi-table writes, so its writes are one short transaction.

Started by `bench.run` with `uvicorn bench.raw:create_app --factory`; reads BENCH_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import aiosqlite
import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from models.enums import OrganizationStatus
from resolvers import global_id

ORG = (
    "o.id, o.kind, o.status, o.short_name, o.full_name, o.erp_id, o.registration_number, "
    "o.tax_id, o.currency, o.industry, o.created_at, a.country, a.city, a.state, a.line1, "
    "a.line2, a.postal_code, c.first_name, c.last_name, c.role, c.email, c.phone"
)
JOINS = (
    "FROM organization o LEFT JOIN address a ON a.organization_id = o.id "
    "LEFT JOIN contact c ON c.organization_id = o.id"
)
LIST = f"SELECT {ORG} {JOINS} WHERE o.status = $1 ORDER BY o.created_at, o.id LIMIT $2 OFFSET $3"
ONE = f"SELECT {ORG} {JOINS} WHERE o.id = $1"
COUNTS = "SELECT status, count(*) FROM organization GROUP BY status"


def _gid(type_name: str, column: str) -> str:
    """resolvers.global_id.encode in SQL: unpadded base64url of "<Type>:<uuid>"."""
    raw = f"encode(convert_to('{type_name}:' || {column}::text, 'UTF8'), 'base64')"
    return f"rtrim(translate({raw}, E'+/\\n', '-_'), '=')"


def _iso(column: str) -> str:
    """datetime.isoformat() of a UTC timestamp: microseconds only when there are any."""
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (
        f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN extract(microseconds FROM "
        f"{utc})::int % 1000000 = 0 THEN '' ELSE to_char({utc}, '.US') END || '+00:00'"
    )


def _pairs(items: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"'{name}', {expr}" for name, expr in items)


PG_ORG = _pairs(
    [
        ("id", _gid("Organization", "o.id")),
        *((n, f"o.{c}") for n, c in (("kind", "kind"), ("status", "status"))),
        ("shortName", "o.short_name"),
        ("fullName", "o.full_name"),
        ("erpId", "o.erp_id"),
        ("registrationNumber", "o.registration_number"),
        ("taxId", "o.tax_id"),
        ("currency", "o.currency"),
        ("industry", "o.industry"),
        ("createdAt", _iso("o.created_at")),
        (
            "primaryAddress",
            "CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object('country', a.country, "
            "'city', a.city, 'state', a.state, 'line1', a.line1, 'line2', a.line2, "
            "'postalCode', a.postal_code) END",
        ),
        (
            "primaryContact",
            "CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('firstName', c.first_name, "
            "'lastName', c.last_name, 'role', c.role, 'email', c.email, 'phone', c.phone) END",
        ),
    ]
)
PG_JOINS = (
    "LEFT JOIN address a ON a.organization_id = o.id "
    "LEFT JOIN contact c ON c.organization_id = o.id"
)
# The response body, as bytes (bytea): the database encodes it, Python only passes it on.
PG_LIST = (
    "SELECT convert_to(json_build_object('data', json_build_object('organizations', "
    f"json_build_object('nodes', coalesce(json_agg(json_build_object({PG_ORG}) "
    "ORDER BY o.created_at, o.id), '[]'::json))))::text, 'UTF8') FROM (SELECT * FROM "
    "organization WHERE status = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3) o "
    f"{PG_JOINS}"
)
PG_ONE = (
    "SELECT convert_to(json_build_object('data', json_build_object('organization', "
    f"(SELECT json_build_object({PG_ORG}) FROM organization o {PG_JOINS} WHERE o.id = $1)))"
    "::text, 'UTF8')"
)
PG_COUNTS = (
    "SELECT convert_to(json_build_object('data', json_build_object('organizations', "
    "json_build_object('totalCount', coalesce(sum(n) FILTER (WHERE status = $1), 0), "
    "'countsByStatus', json_agg(json_build_object('status', status, 'count', n) ORDER BY "
    "array_position($2::text[], status::text)))))::text, 'UTF8') FROM (SELECT s AS status, "
    "(SELECT count(*) FROM organization WHERE status = s) AS n FROM unnest($2::text[]) s) t"
)
INSERT_ORG = (
    "INSERT INTO organization (id, kind, status, parent_id, short_name, full_name, erp_id, "
    "registration_number, registration_country, tax_id, currency, industry, created_at, "
    "created_by, created_by_org_id, updated_at) VALUES ($1, 'CUSTOMER', 'PENDING_APPROVAL', $2, "
    "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
)
INSERT_ADDRESS = (
    "INSERT INTO address (id, organization_id, country, city, state, line1, line2, postal_code) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
)
INSERT_CONTACT = (
    "INSERT INTO contact (id, organization_id, first_name, last_name, role, email, phone) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
INSERT_HISTORY = (
    "INSERT INTO status_change (id, organization_id, from_status, to_status, occurred_at, "
    "actor_subject, actor_org_id) VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
INSERT_KEY = (
    "INSERT INTO idempotency_record (id, scope_org_id, key, request_hash, customer_id, "
    "created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
)
APPROVE = (
    "UPDATE organization SET status = 'ACTIVE', approved_at = $2, approved_by = $3, "
    "updated_at = $2 WHERE id = $1 AND status = 'PENDING_APPROVAL' RETURNING id, approved_at"
)
# Every status the API's countsByStatus lists, in its order (the lifecycle's six).
STATUSES = tuple(status.value for status in OrganizationStatus)
SQLITE_HISTORY_IF_CHANGED = (
    "INSERT INTO status_change (id, organization_id, from_status, to_status, occurred_at, "
    "actor_subject) SELECT $1, $2, 'PENDING_APPROVAL', 'ACTIVE', $3, $4 WHERE changes() > 0"
)


# PostgreSQL: the whole customer (org, address, contact, history, idempotency key) in one
# statement; parameters 1-14 org, 15-21 address, 22-27 contact, 28 history, 29-32 key.
PG_CREATE = (
    f"WITH o AS ({INSERT_ORG} RETURNING id), "
    "a AS (INSERT INTO address (id, organization_id, country, city, state, line1, line2, "
    "postal_code) SELECT $15, o.id, $16, $17, $18, $19, $20, $21 FROM o), "
    "c AS (INSERT INTO contact (id, organization_id, first_name, last_name, role, email, phone) "
    "SELECT $22, o.id, $23, $24, $25, $26, $27 FROM o), "
    "h AS (INSERT INTO status_change (id, organization_id, to_status, occurred_at, actor_subject,"
    " actor_org_id) SELECT $28, o.id, 'PENDING_APPROVAL', $11, $12, $13 FROM o), "
    "k AS (INSERT INTO idempotency_record (id, scope_org_id, key, request_hash, customer_id, "
    "created_at, expires_at) SELECT $29, $13, $30, $31, o.id, $11, $32 FROM o) "
    "SELECT id FROM o"
)
PG_APPROVE = (
    f"WITH u AS ({APPROVE}), h AS (INSERT INTO status_change (id, organization_id, from_status,"
    " to_status, occurred_at, actor_subject) SELECT $4, id, 'PENDING_APPROVAL', 'ACTIVE', $2, $3"
    " FROM u) SELECT id, approved_at FROM u"
)


def _organization(row: Sequence[Any]) -> dict[str, Any]:
    created = row[10]
    if isinstance(created, str):
        created = datetime.fromisoformat(created)
    return {
        "id": global_id.encode("Organization", UUID(str(row[0]))),
        "kind": row[1],
        "status": row[2],
        "shortName": row[3],
        "fullName": row[4],
        "erpId": row[5],
        "registrationNumber": row[6],
        "taxId": row[7],
        "currency": row[8],
        "industry": row[9],
        "createdAt": created.isoformat(),
        "primaryAddress": None
        if row[11] is None
        else dict(
            zip(
                ("country", "city", "state", "line1", "line2", "postalCode"),
                row[11:17],
                strict=True,
            )
        ),
        "primaryContact": None
        if row[17] is None
        else dict(
            zip(("firstName", "lastName", "role", "email", "phone"), row[17:22], strict=True)
        ),
    }


def _body(body: bytes) -> Response:
    return Response(body, media_type="application/json")


def _json(data: dict[str, Any]) -> Response:
    return Response(orjson.dumps({"data": data}), media_type="application/json")


class Database:
    """One SQL round trip per call, on asyncpg or aiosqlite."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pool: asyncpg.Pool | None = None
        self.sqlite: aiosqlite.Connection | None = None
        self.write_lock = asyncio.Lock()

    async def open(self) -> None:
        if self.url.startswith("sqlite://"):
            # Autocommit; writes say BEGIN/COMMIT themselves.
            path = self.url.removeprefix("sqlite://")
            self.sqlite = await aiosqlite.connect(path, isolation_level=None)
            await self.sqlite.execute("PRAGMA journal_mode=WAL")
            await self.sqlite.execute("PRAGMA busy_timeout=5000")
        else:
            dsn = self.url.replace("postgres://", "postgresql://", 1)
            self.pool = await asyncpg.create_pool(dsn, min_size=1, max_size=10)

    async def close(self) -> None:
        if self.pool:
            await self.pool.close()
        if self.sqlite:
            await self.sqlite.close()

    async def fetch(self, sql: str, *args: Any) -> list[Sequence[Any]]:
        if self.pool:
            return list(await self.pool.fetch(sql, *args))
        assert self.sqlite is not None
        args = tuple(str(a) if isinstance(a, UUID | datetime) else a for a in args)
        async with self.sqlite.execute(re.sub(r"\$(\d+)", r"?\1", sql), args) as cursor:
            return list(await cursor.fetchall())

    async def write(self, statements: list[tuple[str, tuple[Any, ...]]]) -> list[Sequence[Any]]:
        """SQLite only: several statements in one transaction; the first one's rows."""
        assert self.sqlite is not None
        async with self.write_lock:
            first: list[Sequence[Any]] = []
            await self.sqlite.execute("BEGIN")
            try:
                for i, (sql, args) in enumerate(statements):
                    rows = await self.fetch(sql, *args)
                    first = rows if i == 0 else first
            except BaseException:
                await self.sqlite.execute("ROLLBACK")
                raise
            await self.sqlite.execute("COMMIT")
            return first


def create_app() -> Starlette:
    db = Database(os.environ["BENCH_DATABASE_URL"])

    async def list_(request: Request) -> Response:
        q = orjson.loads(await request.body())
        if db.pool:
            return _body(await db.pool.fetchval(PG_LIST, q["status"], q["limit"], q["offset"]))
        rows = await db.fetch(LIST, q["status"], q["limit"], q["offset"])
        return _json({"organizations": {"nodes": [_organization(r) for r in rows]}})

    async def one(request: Request) -> Response:
        q = orjson.loads(await request.body())
        if db.pool:
            id_ = global_id.decode_uuid(q["id"], "Organization")
            return _body(await db.pool.fetchval(PG_ONE, id_))
        rows = await db.fetch(ONE, global_id.decode_uuid(q["id"], "Organization"))
        return _json({"organization": _organization(rows[0]) if rows else None})

    async def counts(request: Request) -> Response:
        q = orjson.loads(await request.body())
        if db.pool:
            return _body(await db.pool.fetchval(PG_COUNTS, q["status"], list(STATUSES)))
        found = {status: count for status, count in await db.fetch(COUNTS)}
        by_status = [{"status": s, "count": found.get(s, 0)} for s in STATUSES]
        total = found.get(q["status"], 0)
        return _json({"organizations": {"totalCount": total, "countsByStatus": by_status}})

    async def create(request: Request) -> Response:
        q = orjson.loads(await request.body())
        a, c = q["primaryAddress"], q["primaryContact"]
        now = datetime.now(UTC)
        actor = UUID(q["actorOrg"])
        org = (
            uuid4(), actor, q["shortName"], q["fullName"], q["erpId"], q["registrationNumber"],
            a["country"], q["taxId"], q["currency"], q["industry"], now, q["actor"], actor, now,
        )  # fmt: skip
        address = (a["country"], a["city"], a.get("state"), a["line1"], a.get("line2"))
        contact = (c["firstName"], c["lastName"], c["role"], c["email"], c["phone"])
        key = (uuid4(), q["idempotencyKey"], "0" * 64, now + timedelta(days=1))
        if db.pool:
            args = (*org, uuid4(), *address, a["postalCode"], uuid4(), *contact, uuid4(), *key)
            new_id = (await db.fetch(PG_CREATE, *args))[0][0]
        else:
            new_id = org[0]
            await db.write(
                [
                    (INSERT_ORG, org),
                    (INSERT_ADDRESS, (uuid4(), new_id, *address, a["postalCode"])),
                    (INSERT_CONTACT, (uuid4(), new_id, *contact)),
                    (INSERT_HISTORY, (uuid4(), new_id, None, "PENDING_APPROVAL", now, *org[11:13])),
                    (INSERT_KEY, (key[0], actor, key[1], key[2], new_id, now, key[3])),
                ]
            )
        customer = {
            "id": global_id.encode("Organization", new_id),
            "status": "PENDING_APPROVAL",
            "taxId": q["taxId"],
            "primaryAddress": {"postalCode": a["postalCode"]},
            "primaryContact": {"phone": c["phone"]},
        }
        return _json({"createCustomer": {"customer": customer, "errors": []}})

    async def approve(request: Request) -> Response:
        q = orjson.loads(await request.body())
        id_ = global_id.decode_uuid(q["id"], "Organization")
        now = datetime.now(UTC)
        if db.pool:
            rows = await db.fetch(PG_APPROVE, id_, now, q["actor"], uuid4())
        else:
            rows = await db.write(
                [
                    (APPROVE, (id_, now, q["actor"])),
                    (SQLITE_HISTORY_IF_CHANGED, (uuid4(), id_, now, q["actor"])),
                ]
            )
        customer = {"id": q["id"], "status": "ACTIVE", "approvedAt": now.isoformat()}
        errors = [] if rows else [{"code": "INVALID_STATUS_TRANSITION"}]
        payload = {"customer": customer if rows else None, "errors": errors}
        return _json({"approveCustomer": payload})

    async def healthz(request: Request) -> Response:
        return Response(b"ok")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await db.open()
        yield
        await db.close()

    routes = [("/list", list_), ("/one", one), ("/counts", counts), ("/create", create)]
    routes += [("/approve", approve)]
    return Starlette(
        routes=[Route(path, fn, methods=["POST"]) for path, fn in routes]
        + [Route("/healthz", healthz)],
        lifespan=lifespan,
    )
