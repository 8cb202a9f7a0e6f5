"""The compiled executor's fallbacks, one case each, on small schemas built in the test.

Every case runs through FastExecutor and graphql-core's stock executor and demands the same
`data` (keys in the same order) and the same `errors` (message, locations, path, extensions,
in order); most also assert what the stock answer is, so a case cannot pass by both being
wrong the same way. tests/test_executor_differential.py does the same on the real schema.
"""

from __future__ import annotations

import asyncio
import json
import math
from enum import Enum
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.permission import BasePermission

from graph.execution import executor
from graph.execution.executor import FastExecutor
from graph.schema import build_schema
from settings import Settings


@strawberry.enum
class Color(Enum):
    RED = "red"
    GREEN = "green"


class Later:
    """An awaitable that can be awaited again (each executor awaits it once)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __await__(self) -> Any:
        yield from asyncio.sleep(0).__await__()
        return self.value


class Boom:
    """An attribute read that raises, like a property over missing data."""

    def __get__(self, obj: object, owner: type | None = None) -> str:
        raise ValueError("no name today")

    def __set__(self, obj: object, value: object) -> None:
        pass


@strawberry.type
class Item:
    name: str
    nick: str | None = None
    count: int | None = 0
    weight: float | None = 0.0
    color: Color | None = Color.RED
    flag: bool | None = True

    @strawberry.field
    def upper(self) -> str:
        return self.name.upper()


@strawberry.type
class Box:
    label: str
    item: Item

    @strawberry.field
    def items(self) -> list[Item | None]:
        return [self.item, self.item]


ROWS: list[Any] = []


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return ROWS

    @strawberry.field
    def boxes(self) -> list[Box | None]:
        return [Box(label=f"box {i}", item=row) for i, row in enumerate(ROWS)]


async def _run(
    document: str, rows: list[Any], variables: dict[str, Any] | None = None, **schema_args: Any
) -> Any:
    """Run on both executors; return the (identical) result."""
    ROWS[:] = rows
    schema_args.setdefault("query", Query)
    fast, stock = [
        await strawberry.Schema(**schema_args, execution_context_class=cls).execute(
            document, variable_values=variables
        )
        for cls in (FastExecutor, None)
    ]
    assert json.dumps(fast.data) == json.dumps(stock.data)
    assert [e.formatted for e in fast.errors or []] == [e.formatted for e in stock.errors or []]
    return stock


def _compiled_for(type_name: str) -> bool:
    return any(k[0].name == type_name and v is not None for k, v in executor._PLANS.items())


async def test_plain_fields_are_compiled_and_agree_with_stock() -> None:
    rows = [Item(name=f"n{i}", nick=None if i % 2 else "x", count=i) for i in range(5)]
    result = await _run(
        "{ items { __typename name nick n: count weight color flag upper name } }", rows
    )
    assert result.data["items"][1] == {
        "__typename": "Item",
        "name": "n1",
        "nick": None,
        "n": 1,
        "weight": 0.0,
        "color": "RED",
        "flag": True,
        "upper": "N1",
    }
    assert _compiled_for("Item")


async def test_null_in_a_non_null_field_nulls_the_nearest_nullable_parent() -> None:
    rows = [Item(name="a"), Item(name=None), Item(name="c")]  # type: ignore[arg-type]
    result = await _run("{ items { name count } boxes { label item { count name } } }", rows)
    assert result.data["items"] == [{"name": "a", "count": 0}, None, {"name": "c", "count": 0}]
    assert result.data["boxes"][1] is None  # Box.item is non-null: the error goes one up
    assert [e.path for e in result.errors] == [["items", 1, "name"], ["boxes", 1, "item", "name"]]


async def test_out_of_range_int_and_nan_are_field_errors() -> None:
    rows = [Item(name="a", count=2**31), Item(name="b", weight=math.nan), Item(name="c")]
    result = await _run("{ items { name count weight } }", rows)
    assert result.data["items"][0] == {"name": "a", "count": None, "weight": 0.0}
    assert result.data["items"][1] == {"name": "b", "count": 0, "weight": None}
    assert [e.path for e in result.errors] == [["items", 0, "count"], ["items", 1, "weight"]]
    assert "Int cannot represent" in result.errors[0].message


async def test_an_attribute_that_raises_is_reported_like_a_resolver_error() -> None:
    class Broken(Item):
        name = Boom()  # type: ignore[assignment]

    rows = [Item(name="a"), Broken(name="b")]
    result = await _run("{ items { count name nick } }", rows)
    assert result.data["items"] == [{"count": 0, "name": "a", "nick": None}, None]
    assert result.errors[0].message == "no name today"


async def test_values_of_other_types_are_serialized_by_the_stock_path() -> None:
    rows = [
        Item(name=5, nick=True, count=True, weight=3, color="green", flag=0)  # type: ignore[arg-type]
    ]
    result = await _run("{ items { name nick count weight color flag } }", rows)
    assert result.data["items"][0]["name"] == "5"
    assert result.data["items"][0]["nick"] == "true"
    assert result.data["items"][0]["weight"] == 3.0


async def test_an_awaitable_value_is_awaited_by_the_stock_path() -> None:
    rows = [Item(name=Later("later"), count=Later(7))]  # type: ignore[arg-type]
    result = await _run("{ items { name count nick } }", rows)
    assert result.data["items"] == [{"name": "later", "count": 7, "nick": None}]


async def test_an_exception_as_value_is_raised_as_the_field_error() -> None:
    rows = [Item(name=RuntimeError("stored error"))]  # type: ignore[arg-type]
    result = await _run("{ items { name } }", rows)
    assert result.data["items"] == [None]
    assert result.errors[0].message == "stored error"


async def test_aliases_fragments_and_directives_agree() -> None:
    rows = [Item(name="a", nick="b"), Item(name="c")]
    query = """
      query Q($yes: Boolean!, $no: Boolean!) {
        items {
          first: name
          name @include(if: $yes)
          nick @skip(if: $yes)
          ... on Item { count nick @include(if: $no) }
          ...More
          ... @include(if: $yes) { color second: name }
        }
      }
      fragment More on Item { flag name __typename }
    """
    for yes in (True, False):
        result = await _run(query, rows, {"yes": yes, "no": not yes})
        assert list(result.data["items"][0])[0] == "first"


class Deny(BasePermission):
    message = "not for you"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


class Shout(FieldExtension):
    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


@strawberry.type
class Guarded:
    open: str
    secret: str = strawberry.field(permission_classes=[Deny])
    loud: str = strawberry.field(extensions=[Shout()])


@strawberry.type
class GuardedQuery:
    @strawberry.field
    def rows(self) -> list[Guarded]:
        return [Guarded(open="o", secret="s", loud="quiet")]


async def test_permission_classes_and_field_extensions_take_the_stock_path() -> None:
    result = await _run("{ rows { open loud } }", [], query=GuardedQuery)
    assert result.data == {"rows": [{"open": "o", "loud": "QUIET"}]}
    result = await _run("{ rows { open secret } }", [], query=GuardedQuery)
    assert result.data is None and result.errors[0].message == "not for you"


class CountFields(SchemaExtension):
    seen: list[str] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        CountFields.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


async def test_it_stands_down_when_an_extension_hooks_field_resolution() -> None:
    CountFields.seen = []
    await _run(
        "{ items { name count } }", [Item(name="a"), Item(name="b")], extensions=[CountFields]
    )
    # Both executors let the middleware see every field: items + 2 rows x 2 fields, twice.
    assert CountFields.seen.count("name") == 4 and CountFields.seen.count("items") == 2


def test_our_schema_extensions_do_not_hook_field_resolution() -> None:
    schema = build_schema()
    assert schema.execution_context_class is FastExecutor
    assert not [e for e in schema.get_extensions() if e._implements_resolve()]


def test_the_kill_switch_gives_the_stock_executor() -> None:
    assert Settings().fast_executor is True
    assert Settings.from_env({"PORTAL_FAST_EXECUTOR": "false"}).fast_executor is False
    assert build_schema(fast_executor=False).execution_context_class is not FastExecutor


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Person(Named):
    age: int


@strawberry.type
class Pet(Named):
    legs: int


@strawberry.type
class NamedQuery:
    @strawberry.field
    def named(self) -> list[Named | None]:
        return [Person(name="p", age=3), Pet(name="d", legs=4), Item(name="not named")]

    @strawberry.field
    def people(self) -> list[Person | None]:
        return [Person(name="p", age=1), Item(name="x")]  # type: ignore[list-item]


async def test_abstract_types_and_is_type_of_agree() -> None:
    result = await _run(
        "{ named { __typename name ... on Person { age } ... on Pet { legs } } "
        "people { name age } }",
        [],
        query=NamedQuery,
        types=[Person, Pet],
    )
    assert result.data["named"][:2] == [
        {"__typename": "Person", "name": "p", "age": 3},
        {"__typename": "Pet", "name": "d", "legs": 4},
    ]
    assert result.data["named"][2] is None and result.data["people"][1] is None
    assert [e.path for e in result.errors] == [["named", 2], ["people", 1]]
    assert _compiled_for("Person") and _compiled_for("Pet")
