"""The workloads: the same request to the API (GraphQL), the raw ceiling and PostGraphile.

Each workload makes request i for any target. The API and the ceiling answer with the same
`data`, which `bench.run` checks once per read workload before measuring; PostGraphile answers
the same rows in its own schema's shape (`rowId`, `addressByOrganizationId`, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from bench.load import Request
from bench.raw import STATUSES
from bench.seed import Dataset, nl_vat
from resolvers import global_id

ORG_22 = """id kind status shortName fullName erpId registrationNumber taxId currency industry
  createdAt primaryAddress { country city state line1 line2 postalCode }
  primaryContact { firstName lastName role email phone }"""

LIST = f"""query List($limit: Int!, $offset: Int!) {{
  organizations(filter: {{status: {{eq: ACTIVE}}}}, paging: {{limit: $limit, offset: $offset}}) {{
    nodes {{ {ORG_22} }}
  }}
}}"""
COUNTS = """query Counts {
  organizations(filter: {status: {eq: ACTIVE}}) { totalCount countsByStatus { status count } }
}"""
ONE = f"query One($id: ID!) {{ organization(id: $id) {{ {ORG_22} }} }}"
CREATE = """mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    customer { id status taxId primaryAddress { postalCode } primaryContact { phone } }
    errors { field code message }
  }
}"""
APPROVE = """mutation Approve($input: ApproveCustomerInput!) {
  approveCustomer(input: $input) { customer { id status approvedAt } errors { field code message } }
}"""
# PostGraphile 5 (Amber preset) over the same tables: the same rows and columns, in its names.
PEER_22 = """id kind status shortName fullName erpId registrationNumber taxId currency industry
  createdAt addressByOrganizationId { country city state line1 line2 postalCode }
  contactByOrganizationId { firstName lastName role email phone }"""
PEER_LIST = f"""query List($limit: Int!, $offset: Int!) {{
  allOrganizations(condition: {{status: "ACTIVE"}}, orderBy: [CREATED_AT_ASC, ROW_ID_ASC],
    first: $limit, offset: $offset) {{ nodes {{ {PEER_22} }} }}
}}"""
# No aggregates in the Amber preset: one count per status tab, as aliases.
PEER_COUNTS = (
    "query Counts { "
    + " ".join(
        f'{s.lower()}: allOrganizations(condition: {{status: "{s}"}}) {{ totalCount }}'
        for s in STATUSES
    )
    + " }"
)
PEER_ONE = f"query One($id: UUID!) {{ organizationByRowId(rowId: $id) {{ {PEER_22} }} }}"
PAGES = 20  # list requests cycle through this many pages


@dataclass(frozen=True)
class Workload:
    name: str
    api: Callable[[int], Request | None]
    raw: Callable[[int], Request | None]
    peer: Callable[[int], Request | None] | None = None  # PostGraphile; None: no equivalent
    mutation: str | None = None  # the payload field whose `errors` must be empty

    @property
    def reads(self) -> bool:
        return self.mutation is None


def _gql(query: str, variables: dict[str, Any] | None = None) -> Request:
    return "/graphql", orjson.dumps({"query": query, "variables": variables or {}})


def _raw(path: str, **body: Any) -> Request:
    return path, orjson.dumps(body)


def _list(size: int) -> Workload:
    return Workload(
        f"list {size} + address + contact",
        lambda i: _gql(LIST, {"limit": size, "offset": i % PAGES * size}),
        lambda i: _raw("/list", status="ACTIVE", limit=size, offset=i % PAGES * size),
        lambda i: _gql(PEER_LIST, {"limit": size, "offset": i % PAGES * size}),
    )


def _customer(n: int, tag: str) -> dict[str, Any]:
    """A valid, already-normalized form, unique per n (so the raw insert stores the same)."""
    return {
        "idempotencyKey": f"bench-{tag}-{n}",
        "shortName": f"Bench {n}",
        "fullName": f"Bench Customer {n} B.V.",
        "erpId": f"BENCH-{n}",
        "registrationNumber": f"{n:08d}",
        "taxId": nl_vat(n),
        "currency": "EUR",
        "industry": "COMMERCIAL",
        "primaryAddress": {
            "country": "NL",
            "city": "Eindhoven",
            "line1": f"Hoevenweg {n}",
            "postalCode": "5652 AW",
        },
        "primaryContact": {
            "firstName": "Jan",
            "lastName": "Jansen",
            "role": "CEO",
            "email": f"jan{n}@example.nl",
            "phone": "+31402506000",
        },
    }


def build(data: Dataset) -> list[Workload]:
    customers = [global_id.encode("Organization", id_) for id_ in data.pending[:1000]]
    pending = [global_id.encode("Organization", id_) for id_ in data.pending[1000:]]
    api_pending, raw_pending = pending[0::2], pending[1::2]
    reseller = str(data.resellers[0])

    def create_raw(i: int) -> Request:
        form = _customer(600_000 + i, "raw")
        return _raw("/create", **form, actor="bench", actorOrg=reseller)

    return [
        _list(50),
        _list(10),
        _list(100),
        Workload(
            "totalCount + countsByStatus",
            lambda i: _gql(COUNTS),
            lambda i: _raw("/counts", status="ACTIVE"),
            lambda i: _gql(PEER_COUNTS),
        ),
        Workload(
            "organization by id",
            lambda i: _gql(ONE, {"id": customers[i % len(customers)]}),
            lambda i: _raw("/one", id=customers[i % len(customers)]),
            lambda i: _gql(PEER_ONE, {"id": str(data.pending[i % len(customers)])}),
        ),
        Workload(
            "createCustomer",
            lambda i: _gql(CREATE, {"input": _customer(300_000 + i, "api")}),
            create_raw,
            mutation="createCustomer",
        ),
        Workload(
            "approveCustomer",
            lambda i: (
                _gql(APPROVE, {"input": {"id": api_pending[i]}}) if i < len(api_pending) else None
            ),
            lambda i: (
                _raw("/approve", id=raw_pending[i], actor="bench") if i < len(raw_pending) else None
            ),
            mutation="approveCustomer",
        ),
    ]


def checker(workload: Workload) -> Callable[[int, bytes], str | None]:
    """What is wrong with a response, or None."""

    def check(i: int, body: bytes) -> str | None:
        doc = orjson.loads(body)
        if doc.get("errors") or not doc.get("data"):
            return f"errors: {body[:300]!r}"
        if workload.mutation and doc["data"][workload.mutation]["errors"]:
            return f"payload errors: {body[:300]!r}"
        return None

    return check
