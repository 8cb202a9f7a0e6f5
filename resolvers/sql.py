"""Hand-written statements for the few queries every request runs, on Tortoise's connection.

Building a query with Tortoise costs ~0.25 ms of CPU per statement (pypika renders the SQL
again each time), more than asyncpg spends running it. The statements on the hot paths
(authentication, createCustomer, approve/reject) are therefore written once here, with
PostgreSQL's numbered placeholders (`$1`; SQLite's `?1` is the same thing), and run through
Tortoise's client: inside its transaction when there is one, with its error translation
(IntegrityError, OperationalError) and in its statement log. Rows come back through the
models' own field converters, so they equal what Tortoise's `.values()` returns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any
from uuid import UUID

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model

import models
from resolvers.atomic import atomic

_PLACEHOLDER = re.compile(r"\$(\d+)")


def client() -> BaseDBAsyncClient:
    """The current connection: the transaction's inside `in_transaction()`."""
    return connections.get("default")


def is_postgres(db: BaseDBAsyncClient) -> bool:
    return db.capabilities.dialect == "postgres"


@cache
def _for_sqlite(sql: str) -> str:
    return _PLACEHOLDER.sub(r"?\1", sql)


def _arg(value: object) -> object:
    # What Tortoise's field converters hand the drivers: UUIDs as text, enums as their value.
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


async def fetch(sql: str, *args: object, db: BaseDBAsyncClient | None = None) -> list[dict]:
    """Run `sql` (written with `$n` placeholders) and return its rows as raw dicts."""
    db = db or client()
    return await db.execute_query_dict(
        sql if is_postgres(db) else _for_sqlite(sql), [_arg(a) for a in args]
    )


Decoder = Callable[[dict[str, Any]], dict[str, Any]]


def decoder(model: type[Model], columns: Iterable[str], **aliases: str) -> Decoder:
    """Converts a raw row's `columns` to Python values as `model`'s fields do; `aliases` name
    the field whose converter a differently named column uses (`grandparent_id="parent_id"`)."""
    wanted = tuple(columns)
    convert: dict[str, Callable[[Any], Any]] = {}

    def decode(row: dict[str, Any]) -> dict[str, Any]:
        if not convert:  # on first use: foreign-key columns exist once Tortoise is set up
            fields = model._meta.fields_map
            convert.update({c: fields[aliases.get(c, c)].to_python_value for c in wanted})
        return {c: to_python(row[c]) for c, to_python in convert.items()}

    return decode


def columns(names: Sequence[str], table: str = "") -> str:
    prefix = f'"{table}".' if table else ""
    return ", ".join(f'{prefix}"{name}"' for name in names)


@dataclass(frozen=True, slots=True)
class Row:
    """One row to insert: the table and its column values (as the model's fields take them)."""

    table: str
    values: dict[str, object]


async def write(*rows: Row) -> None:
    """Insert `rows` all or none: on PostgreSQL one statement (a transaction by itself), on
    SQLite one transaction (retried while another process holds the lock)."""
    if is_postgres(client()):
        await insert(*rows)
    else:
        await atomic(lambda: insert(*rows))


async def update_then_insert(update: str, *args: object, rows: Sequence[Row]) -> list[dict]:
    """Run `update` (a conditional `UPDATE … RETURNING`) and, only when it matched, insert
    `rows`, all in one transaction; the UPDATE's rows come back (none: nothing was written).

    PostgreSQL gets one statement (no BEGIN/COMMIT round trips): the UPDATE in a WITH clause
    and each INSERT selecting its values `FROM` it, so they are written only when it matched.
    The inserted values are cast to their columns' types, which PostgreSQL cannot infer for
    parameters in a SELECT list. SQLite, which has no UPDATE or INSERT in WITH, runs them in
    one transaction.
    """
    db = client()
    if not is_postgres(db):

        async def work() -> list[dict]:
            won = await fetch(update, *args)  # on the transaction's connection
            if won:
                await insert(*rows)
            return won

        return await atomic(work)
    shape = tuple((row.table, tuple(row.values)) for row in rows)
    values = [value for row in rows for value in row.values.values()]
    return await fetch(_update_then_insert(update, len(args), shape), *args, *values, db=db)


@cache
def _update_then_insert(
    update: str, taken: int, shape: tuple[tuple[str, tuple[str, ...]], ...]
) -> str:
    inserts, first = [], taken + 1
    for n, (table, names) in enumerate(shape):
        inserts.append(f"i{n} AS ({_insert_from(table, names, first, 'won')})")
        first += len(names)
    return f"WITH won AS ({update}), {', '.join(inserts)} SELECT * FROM won"


def _insert_from(table: str, names: tuple[str, ...], first: int, source: str) -> str:
    """An INSERT of one row per row of `source`, values from parameters `$first`...: cast to
    their columns' types, which PostgreSQL cannot infer for parameters in a SELECT list."""
    types = _column_types(table)
    casts = ", ".join(f"${first + i}::{types[name]}" for i, name in enumerate(names))
    return f'INSERT INTO "{table}" ({columns(names)}) SELECT {casts} FROM {source}'


@cache
def _column_types(table: str) -> dict[str, str]:
    """PostgreSQL's type of each column of `table`, from the model that owns it."""
    for model in models.__models__:
        if model._meta.db_table == table:
            fields = model._meta.fields_map
            return {
                column: fields[name].get_for_dialect("postgres", "SQL_TYPE")
                for name, column in model._meta.fields_db_projection.items()
            }
    raise LookupError(f"no model owns table {table!r}")


async def insert(*rows: Row) -> None:
    """Insert `rows` in order, in the caller's transaction.

    PostgreSQL gets them as one statement (each but the last INSERT in a WITH clause; foreign
    keys are checked at the end of the statement, so order within it does not matter), which
    saves a round trip per row; SQLite, which has no INSERT in WITH, gets one per row.
    """
    db = client()
    shape = tuple((row.table, tuple(row.values)) for row in rows)
    args = [value for row in rows for value in row.values.values()]
    if is_postgres(db):
        await fetch(_combined_insert(shape), *args, db=db)
        return
    start = 0
    for table, names in shape:
        await fetch(_insert(table, names), *args[start : start + len(names)], db=db)
        start += len(names)


@cache
def _insert(table: str, names: tuple[str, ...], first: int = 1) -> str:
    params = ", ".join(f"${first + i}" for i in range(len(names)))
    return f'INSERT INTO "{table}" ({columns(names)}) VALUES ({params})'


@cache
def _combined_insert(shape: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    statements, first = [], 1
    for table, names in shape:
        statements.append(_insert(table, names, first))
        first += len(names)
    *ctes, last = statements
    if not ctes:
        return last
    return "WITH " + ", ".join(f"i{n} AS ({s})" for n, s in enumerate(ctes)) + " " + last


async def insert_claiming(
    claim: Row, unique: tuple[str, ...], expires: str, now: object, *rows: Row
) -> bool:
    """PostgreSQL only: `claim`, then `rows`, all in one statement (a transaction by itself),
    unless a row that has not expired (`expires` after `now`) already holds `claim`'s `unique`
    columns: then nothing is written and the answer is False. An expired holder is taken
    over, and the other expired rows sharing the first unique column (the caller's scope)
    are deleted in the same statement. A unique violation among `rows` raises IntegrityError
    and writes nothing."""
    db = client()
    assert is_postgres(db), "SQLite has no INSERT or DELETE in WITH"
    shape = (
        (claim.table, tuple(claim.values)),
        unique,
        expires,
        tuple((row.table, tuple(row.values)) for row in rows),
    )
    args = [*claim.values.values(), now, *(v for row in rows for v in row.values.values())]
    found = await fetch(_claiming_insert(shape), *args, db=db)
    return bool(found and found[0]["claimed"])


@cache
def _claiming_insert(shape: tuple[Any, ...]) -> str:
    (table, names), unique, expires, rows = shape
    now = f"${len(names) + 1}"
    scope, *rest = (f"${names.index(c) + 1}" for c in unique)
    others = "".join(f' AND "{c}" <> {p}' for c, p in zip(unique[1:], rest, strict=True))
    update = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in names)
    ctes = [
        f'forgotten AS (DELETE FROM "{table}" WHERE "{unique[0]}" = {scope}{others} '
        f'AND "{expires}" <= {now})',
        f"claimed AS ({_insert(table, names)} ON CONFLICT ({columns(unique)}) DO UPDATE SET "
        f'{update} WHERE "{table}"."{expires}" <= {now} RETURNING 1)',
    ]
    first = len(names) + 2
    for n, (row_table, row_names) in enumerate(rows):
        ctes.append(f"i{n} AS ({_insert_from(row_table, row_names, first, 'claimed')})")
        first += len(row_names)
    return "WITH " + ", ".join(ctes) + ' SELECT count(*) AS "claimed" FROM claimed'
