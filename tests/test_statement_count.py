"""organizations: the SQL a list request issues is constant, whatever the page size or selection.

Statements are counted from Tortoise's own query log (`tortoise.db_client`, one DEBUG record
per statement on SQLite and PostgreSQL), so authentication's lookups count too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.api import Api
from tests.builders import numbered
from tests.queries import CREATE

SQL_VERBS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")

BARE = """
query Bare($limit: Int!) {
  organizations(filter: {kind: {eq: CUSTOMER}}, paging: {limit: $limit}) { nodes { id } }
}
"""

FULL = """
query Full($limit: Int!) {
  organizations(filter: {kind: {eq: CUSTOMER}}, paging: {limit: $limit}) {
    nodes {
      id kind status shortName fullName erpId registrationNumber taxId currency industry
      createdAt createdBy approvedAt approvedBy
      primaryAddress { country city state line1 line2 postalCode formatted }
      primaryContact { firstName lastName role email phone phoneFormatted }
      parent { id shortName kind status }
    }
    edges { cursor node { id primaryAddress { city } parent { shortName } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


class _Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().lstrip().upper()
        if message.startswith(SQL_VERBS):
            self.sql.append(record.getMessage())


@contextmanager
def _counting() -> Iterator[_Statements]:
    logger = logging.getLogger("tortoise.db_client")
    handler, level = _Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def _statements(api: Api, query: str, limit: int, token: str) -> list[str]:
    with _counting() as counted:
        result = await api.gql(query, {"limit": limit}, token=token)
    assert len(result.data["organizations"]["nodes"]) == min(limit, 6)
    return counted.sql


@pytest.mark.parametrize("viewer", ["distributor", "reseller"])
async def test_list_statements_do_not_grow_with_page_size_or_selection(
    api: Api, viewer: str
) -> None:
    creator = api.token(api.world.distributor, "ADMIN")
    for n in range(6):
        reseller = api.world.reseller if n % 2 else api.world.other_reseller
        created = await api.gql(
            CREATE, {"input": {**numbered(n), "resellerId": reseller}}, token=creator
        )
        assert created.data["createCustomer"]["errors"] == []
    token = api.token(getattr(api.world, viewer), "VIEWER")
    if viewer == "reseller":
        # A reseller sees only its own three customers; let it create three more.
        for n in range(6, 9):
            created = await api.gql(
                CREATE, {"input": numbered(n)}, token=api.token(api.world.reseller)
            )
            assert created.data["createCustomer"]["errors"] == []

    counts = {}
    for name, query in (("bare", BARE), ("full", FULL)):
        for limit in (1, 6):
            sql = await _statements(api, query, limit, token)
            counts[name, limit] = len(sql)
            # Authentication, the page with address and contact, the parents.
            assert len(sql) <= 4, "\n".join(sql)
    assert counts["full", 1] == counts["full", 6]
    assert counts["bare", 1] == counts["bare", 6]


COMPILED = """
query Compiled($limit: Int!) {
  organizations(filter: {kind: {eq: CUSTOMER}}, paging: {limit: $limit}) {
    totalCount countsByStatus { status count }
    nodes {
      id kind status shortName fullName erpId registrationNumber taxId currency industry
      createdAt createdBy approvedAt approvedBy
      primaryAddress { country city state line1 line2 postalCode }
      primaryContact { firstName lastName role email phone }
      parent { id shortName kind status parent { id } }
    }
    edges { cursor node { id primaryAddress { city } parent { shortName } } }
    pageInfo { hasNextPage endCursor }
  }
  organization(id: $id) { id parent { id } primaryContact { email } }
}
"""


async def test_compiled_path_sends_one_statement_per_root_field(api: Api) -> None:
    """Page, counts, addresses, contacts and parents of a list: one statement; a lookup: one."""
    token = api.token(api.world.reseller, "VIEWER")
    for n in range(3):
        created = await api.gql(CREATE, {"input": numbered(n)}, token=api.token(api.world.reseller))
        assert created.data["createCustomer"]["errors"] == []
    with _counting() as auth_only:
        assert (await api.gql("{ __typename }", token=token)).data == {"__typename": "Query"}
    query = COMPILED.replace("($limit: Int!)", "($limit: Int!, $id: ID!)")
    for limit in (1, 3):
        with _counting() as counted:
            result = await api.gql(query, {"limit": limit, "id": api.world.reseller}, token=token)
        assert len(result.data["organizations"]["nodes"]) == limit
        assert result.data["organizations"]["totalCount"] == 3
        assert len(counted.sql) - len(auth_only.sql) == 2, "\n".join(counted.sql)


async def test_authentication_reads_an_organizations_place_once(api: Api) -> None:
    """Kind and ancestors never change once written, so only the first request with a token
    of an organization reads them; X-Organization-ID's target is remembered the same way."""
    token = api.token(api.world.distributor, "VIEWER")
    for expected in (1, 0, 0):
        with _counting() as counted:
            assert (await api.gql("{ __typename }", token=token)).data == {"__typename": "Query"}
        assert len(counted.sql) == expected, "\n".join(counted.sql)
    switched = {"X-Organization-ID": api.world.reseller}
    for expected in (1, 0):
        with _counting() as counted:
            response = await api.client.post(
                "/graphql",
                json={"query": "{ viewer { organization { id } } }"},
                headers={"Authorization": f"Bearer {token}", **switched},
            )
            body = response.json()
        assert body["data"]["viewer"]["organization"]["id"] == api.world.reseller, body
        places = [s for s in counted.sql if '"grandparent_id"' in s]
        assert len(places) == expected, "\n".join(counted.sql)
