"""Fresh benchmark databases with 20,000 organizations, written in bulk.

The schema comes from the real migrations; the rows go in with one `COPY` per table on
PostgreSQL and one `executemany` per table on SQLite, so seeding takes seconds, not minutes.
The tree is one distributor, a few resellers and customers under them, with addresses,
contacts and a creation history entry, in a mix of statuses.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from models.database import migrate
from settings import Settings

RESELLERS = 10
STATUSES = ("PENDING_APPROVAL",) * 4 + ("ACTIVE",) * 5 + ("REJECTED",)
INDUSTRIES = ("COMMERCIAL", "EDUCATION", "GOVERNMENT", "NON_PROFIT")
ORG_COLUMNS = (
    "id kind status parent_id short_name full_name erp_id registration_number "
    "registration_country tax_id currency industry created_at created_by created_by_org_id "
    "approved_at approved_by updated_at"
).split()
ADDRESS_COLUMNS = "id organization_id country city state line1 line2 postal_code".split()
CONTACT_COLUMNS = "id organization_id first_name last_name role email phone".split()
HISTORY_COLUMNS = (
    "id organization_id from_status to_status comment occurred_at actor_subject "
    "actor_org_id request_id"
).split()


@dataclass
class Dataset:
    distributor: UUID
    resellers: list[UUID]
    pending: list[UUID] = field(default_factory=list)
    tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = field(default_factory=dict)


def nl_vat(n: int) -> str:
    """A valid NL VAT number unique to n (the ninth digit is the mod-11 check)."""
    for k in range(100):
        base = f"{10000000 + n * 100 + k:08d}"
        check = sum(int(d) * w for d, w in zip(base, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return f"NL{base}{check}B01"
    raise AssertionError("unreachable")


def build(total: int) -> Dataset:
    rng = random.Random(42)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    orgs: list[tuple[Any, ...]] = []
    addresses: list[tuple[Any, ...]] = []
    contacts: list[tuple[Any, ...]] = []
    history: list[tuple[Any, ...]] = []

    def org(kind: str, status: str, parent: UUID | None, n: int) -> UUID:
        id_ = uuid4()
        at = start + timedelta(seconds=n, microseconds=rng.randrange(1_000_000))
        approved = at + timedelta(hours=1) if status == "ACTIVE" else None
        customer = kind == "CUSTOMER"
        orgs.append(
            (
                id_, kind, status, parent, f"{kind.title()} {n:05d}",
                f"{kind.title()} Number {n:05d} B.V.",
                f"ERP-{n:05d}" if customer else None,
                f"{n:08d}" if customer else None,
                "NL" if customer else None,
                nl_vat(n) if customer else None,
                "EUR" if customer else None,
                INDUSTRIES[n % 4] if customer else None,
                at, "bench", parent, approved, "bench" if approved else None, at,
            )
        )  # fmt: skip
        history.append((uuid4(), id_, None, status, None, at, "bench", parent, None))
        if customer:
            addresses.append(
                (uuid4(), id_, "NL", "Eindhoven", None, f"Hoevenweg {n}", None, "5652 AW")
            )
            contacts.append(
                (uuid4(), id_, "Jan", f"Jansen{n}", "CEO", f"jan{n}@example.nl", "+31402506000")
            )
        return id_

    distributor = org("DISTRIBUTOR", "ACTIVE", None, 0)
    data = Dataset(
        distributor, [org("RESELLER", "ACTIVE", distributor, n + 1) for n in range(RESELLERS)]
    )
    for n in range(RESELLERS + 1, total):
        status = rng.choice(STATUSES)
        id_ = org("CUSTOMER", status, data.resellers[n % RESELLERS], n)
        if status == "PENDING_APPROVAL":
            data.pending.append(id_)
    data.tables = {
        "organization": (ORG_COLUMNS, orgs),
        "address": (ADDRESS_COLUMNS, addresses),
        "contact": (CONTACT_COLUMNS, contacts),
        "status_change": (HISTORY_COLUMNS, history),
    }
    return data


async def seed_postgres(admin_url: str, name: str, total: int) -> tuple[str, Dataset]:
    """(URL of a fresh database `name` on the server of `admin_url`, what it holds)."""
    dsn = admin_url.replace("postgres://", "postgresql://", 1)
    admin = await asyncpg.connect(dsn)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    await migrate(Settings(database_url=url))
    data = build(total)
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        async with conn.transaction():
            for table, (columns, rows) in data.tables.items():
                await conn.copy_records_to_table(table, records=rows, columns=columns)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return url, data


async def seed_sqlite(path: Path, total: int) -> tuple[str, Dataset]:
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite://{path}"
    await migrate(Settings(database_url=url))
    data = build(total)
    # Stored as Tortoise stores them: UUIDs and timestamps as text.
    conn = sqlite3.connect(path)
    with conn:
        for table, (columns, rows) in data.tables.items():
            marks = ",".join("?" * len(columns))
            conn.executemany(
                f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})",
                [tuple(_sqlite(v) for v in row) for row in rows],
            )
    conn.execute("ANALYZE")
    conn.close()
    return url, data


def _sqlite(value: Any) -> Any:
    return str(value) if isinstance(value, UUID | datetime) else value
