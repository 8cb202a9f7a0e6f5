"""Names sort as people read them: case-insensitively (accent-aware on PostgreSQL), with
creation order as the tie-break, and through an index that matches the ORDER BY."""

from __future__ import annotations

from typing import Any

import pytest
from tortoise import connections

from resolvers.organizations import NAME_FIELDS, sort_expression
from tests.api import Api
from tests.builders import numbered
from tests.conftest import ApiFactory
from tests.queries import CREATE, LIST

# Creation order; "Delta" twice to see the tie-break.
NAMES = ["bravo", "Delta", "Alpha", "Zulu", "charlie", "Émile", "Delta", "echo"]


def _dialect() -> str:
    return str(connections.get("default").capabilities.dialect)


async def _create(api: Api) -> list[str]:
    token = api.token(api.world.reseller, "ADMIN")
    ids = []
    for n, name in enumerate(NAMES):
        customer = numbered(n) | {"shortName": name, "fullName": f"{name} Company"}
        payload = (await api.gql(CREATE, {"input": customer}, token=token)).data["createCustomer"]
        assert payload["errors"] == [], payload["errors"]
        ids.append(payload["customer"]["id"])
    return ids


async def _sorted(api: Api, field: str, direction: str) -> list[str]:
    token = api.token(api.world.reseller, "ADMIN")
    variables: dict[str, Any] = {
        "filter": {"kind": {"eq": "CUSTOMER"}},
        "sorting": [{"field": field, "direction": direction}],
    }
    result = await api.gql(LIST, variables, token=token)
    return [node["id"] for node in result.data["organizations"]["nodes"]]


@pytest.mark.parametrize("field", ["shortName", "fullName"])
@pytest.mark.parametrize("compiled", [True, False], ids=["compiled-reads", "resolvers"])
async def test_names_sort_as_people_read_them(
    api_factory: ApiFactory, field: str, compiled: bool
) -> None:
    """Both read paths: the compiled one (one SQL statement) and the resolvers'."""
    async with api_factory(compiled_reads=compiled) as api:
        await _check_order(api, field)


async def _check_order(api: Api, field: str) -> None:
    ids = await _create(api)
    by_name = dict(zip(ids, NAMES, strict=True))
    # ICU sorts É with E; SQLite's NOCASE folds only ASCII, so É comes after Z there.
    accented = ["Émile"] if _dialect() == "postgres" else []
    expected = ["Alpha", "bravo", "charlie", "Delta", "Delta", "echo", *accented, "Zulu"]
    expected += [] if accented else ["Émile"]
    ascending = await _sorted(api, field, "ASC")
    assert [by_name[i] for i in ascending] == expected
    # The two Deltas keep creation order both ways: the tie-break is not reversed.
    first_delta, second_delta = (i for i, name in zip(ids, NAMES, strict=True) if name == "Delta")
    assert ascending.index(first_delta) < ascending.index(second_delta)
    descending = await _sorted(api, field, "DESC")
    assert [by_name[i] for i in descending] == expected[::-1]
    assert descending.index(first_delta) < descending.index(second_delta)


@pytest.mark.parametrize("field", sorted(NAME_FIELDS))
async def test_the_name_order_reads_an_index(api: Api, field: str) -> None:
    """The migration's index matches the ORDER BY the list sends, on both databases."""
    db = connections.get("default")
    dialect = _dialect()
    order = f'{sort_expression(field, dialect)}, "created_at", "id"'
    query = f'SELECT "id" FROM "organization" ORDER BY {order} LIMIT 20'
    if dialect == "postgres":
        # With a handful of rows a sequential scan is cheaper; forbid it to see the index.
        async with db._in_transaction() as tx:
            await tx.execute_script("SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off")
            plan = "\n".join(
                str(r["QUERY PLAN"]) for r in await tx.execute_query_dict(f"EXPLAIN {query}")
            )
    else:
        rows = await db.execute_query_dict(f"EXPLAIN QUERY PLAN {query}")
        plan = "\n".join(str(r["detail"]) for r in rows)
    assert f"organization_{field}_sort" in plan, plan
