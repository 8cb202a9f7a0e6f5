"""The two SQL dialects the planner writes: JSON built by PostgreSQL or by SQLite.

Both render the same shapes (objects, arrays, nulls, booleans) and the same encodings the normal
path's Python produces: global IDs (`resolvers.global_id.encode`), cursors (`graph.paging.cursor`)
and DateTime (`datetime.isoformat()` of the UTC value Tortoise reads). PostgreSQL does all of it
in SQL; SQLite has no base64 and stores timestamps as text, so for those three it calls
functions registered on its connection that run the normal path's own Python code.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from tortoise.fields.data import parse_datetime

from graph.core.paging import cursor
from resolvers import global_id

_DOLLAR = re.compile(r"\$(\d+)")
_QUESTION = re.compile(r"\?(\d*)")
# PostgreSQL functions take at most 100 arguments: 50 key/value pairs per JSON object.
MAX_PAIRS = 50


def literal(text: str) -> str:
    """A SQL string literal for a name the planner chose (response names, type names)."""
    return "'" + text.replace("'", "''") + "'"


class Params:
    """Numbered parameters of one statement ($n on PostgreSQL, ?n on SQLite), so the same
    value can be referenced from several places and fragments can be spliced in any order."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.values: list[object] = []

    def add(self, value: object) -> str:
        self.values.append(value)
        return self.dialect.placeholder(len(self.values))

    def splice(self, sql: str, values: Sequence[object]) -> str:
        """Another statement's SQL (Tortoise's, with its own parameters) renumbered into this
        one. Its parameters are all placeholders; values are never inlined into its text."""
        first = len(self.values)
        self.values.extend(values)
        if self.dialect.postgres:
            return _DOLLAR.sub(lambda m: f"${first + int(m.group(1))}", sql)
        counter = iter(range(first + 1, first + len(values) + 1))
        return _QUESTION.sub(
            lambda m: f"?{first + int(m.group(1))}" if m.group(1) else f"?{next(counter)}", sql
        )


class Dialect:
    postgres: bool

    def placeholder(self, n: int) -> str:
        raise NotImplementedError

    def obj(self, pairs: Sequence[tuple[str, str]]) -> str:
        raise NotImplementedError

    def sub(self, select: str) -> str:
        """A scalar subquery whose one column is JSON (an object, an array or NULL)."""
        raise NotImplementedError

    def array(self, element: str, source: str, order: str) -> str:
        """A JSON array of `element` over the rows of `source` (`FROM ... WHERE ...`) in
        `order`; `[]` for no rows."""
        raise NotImplementedError

    def boolean(self, condition: str) -> str:
        raise NotImplementedError

    def global_id(self, type_name: str, column: str) -> str:
        raise NotImplementedError

    def cursor(self, position: str) -> str:
        raise NotImplementedError

    def datetime(self, column: str) -> str:
        raise NotImplementedError

    def body(self, json: str) -> str:
        """The statement's one column: the JSON as UTF-8 bytes, never decoded in Python."""
        raise NotImplementedError

    def null_if_missing(self, json: str) -> str:
        """`json` or the JSON text null when it is SQL NULL (the statement's top level)."""
        raise NotImplementedError

    def integer(self, placeholder: str) -> str:
        """An integer parameter (PostgreSQL must be told its type where it is compared)."""
        raise NotImplementedError

    def each(self, placeholder: str) -> tuple[str, str, str]:
        """(FROM clause, value, order) over the elements of a JSON array of UUID texts."""
        raise NotImplementedError

    def argument(self, value: object) -> object:
        """A parameter value as the driver takes it."""
        return value


class Postgres(Dialect):
    postgres = True

    def placeholder(self, n: int) -> str:
        return f"${n}"

    def obj(self, pairs: Sequence[tuple[str, str]]) -> str:
        return "json_build_object(" + ", ".join(f"{literal(k)}, {v}" for k, v in pairs) + ")"

    def sub(self, select: str) -> str:
        return f"({select})"

    def array(self, element: str, source: str, order: str) -> str:
        return f"(SELECT coalesce(json_agg({element} ORDER BY {order}), '[]'::json) {source})"

    def boolean(self, condition: str) -> str:
        return f"({condition})"

    def global_id(self, type_name: str, column: str) -> str:
        raw = f"encode(convert_to({literal(type_name + ':')} || {column}::text, 'UTF8'), 'base64')"
        return f"rtrim(translate({raw}, E'+/\\n', '-_'), '=')"

    def cursor(self, position: str) -> str:
        raw = f"encode(convert_to('position:' || ({position})::text, 'UTF8'), 'base64')"
        return f"translate({raw}, E'+/\\n', '-_')"

    def datetime(self, column: str) -> str:
        utc = f"({column} AT TIME ZONE 'UTC')"
        return (
            f"CASE WHEN {column} IS NULL THEN NULL ELSE to_char({utc}, "
            f"'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN extract(microseconds FROM {utc})::int "
            f"% 1000000 = 0 THEN '' ELSE to_char({utc}, '.US') END || '+00:00' END"
        )

    def body(self, json: str) -> str:
        return f"convert_to(({json})::text, 'UTF8')"

    def null_if_missing(self, json: str) -> str:
        return f"coalesce({json}, 'null'::json)"

    def integer(self, placeholder: str) -> str:
        return f"{placeholder}::bigint"

    def each(self, placeholder: str) -> tuple[str, str, str]:
        return (
            f"FROM json_array_elements_text({placeholder}::json) WITH ORDINALITY AS j(v, i)",
            "j.v::uuid",
            "j.i",
        )


class Sqlite(Dialect):
    postgres = False

    def placeholder(self, n: int) -> str:
        return f"?{n}"

    def obj(self, pairs: Sequence[tuple[str, str]]) -> str:
        return "json_object(" + ", ".join(f"{literal(k)}, {v}" for k, v in pairs) + ")"

    def sub(self, select: str) -> str:
        # JSON loses its subtype when it leaves a subquery; json() gives it back (NULL stays).
        return f"json(({select}))"

    def array(self, element: str, source: str, order: str) -> str:
        # No ORDER BY inside aggregates before SQLite 3.44: aggregate an ordered subquery.
        return (
            f"json((SELECT json_group_array(json(e)) FROM "
            f"(SELECT {element} AS e {source} ORDER BY {order})))"
        )

    def boolean(self, condition: str) -> str:
        return f"json(CASE WHEN {condition} THEN 'true' ELSE 'false' END)"

    def global_id(self, type_name: str, column: str) -> str:
        return f"portal_global_id({literal(type_name)}, {column})"

    def cursor(self, position: str) -> str:
        return f"portal_cursor({position})"

    def datetime(self, column: str) -> str:
        return f"portal_datetime({column})"

    def body(self, json: str) -> str:
        return f"CAST(({json}) AS BLOB)"

    def null_if_missing(self, json: str) -> str:
        return f"coalesce({json}, json('null'))"

    def integer(self, placeholder: str) -> str:
        return placeholder

    def each(self, placeholder: str) -> tuple[str, str, str]:
        return f"FROM json_each({placeholder}) AS j", "j.value", "j.key"

    def argument(self, value: object) -> object:
        # Tortoise stores UUIDs as text on SQLite.
        return str(value) if isinstance(value, UUID) else value


POSTGRES = Postgres()
SQLITE = Sqlite()
_REGISTERED: weakref.WeakSet[Any] = weakref.WeakSet()


def _utc_iso(value: Any) -> str | None:
    """How the normal path prints a stored timestamp: Tortoise parses the text and, with
    use_tz and timezone UTC (models.database's config), makes it an aware UTC datetime."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    return parsed.isoformat()


def _global_id(type_name: str, value: Any) -> str | None:
    return None if value is None else global_id.encode(type_name, UUID(str(value)))


def _cursor(n: Any) -> str | None:
    return None if n is None else cursor(int(n))


async def prepare_sqlite(connection: Any) -> None:
    """Registers the three functions on an aiosqlite connection, once per connection."""
    if connection in _REGISTERED:
        return
    for name, arity, fn in (
        ("portal_global_id", 2, _global_id),
        ("portal_datetime", 1, _utc_iso),
        ("portal_cursor", 1, _cursor),
    ):
        await connection.create_function(name, arity, fn, deterministic=True)
    _REGISTERED.add(connection)
