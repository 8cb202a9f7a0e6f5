"""An ERP sync service, as another team would write it: the `gql` library on httpx, the shared
operation files in clients/operations/, and schema.graphql to check each request before it is
sent (a drifted schema fails here, not in production).

    python clients/erp_sync.py --url http://127.0.0.1:8000/graphql --token <JWT> export
    python clients/erp_sync.py --url … --token … check customer.json
    python clients/erp_sync.py --url … --token … create customer.json

`export` prints every customer the token may see that has a running account — ACTIVE or
SUSPENDED (its licenses keep running, so billing needs it) — with its profile, one JSON object
per line, paging through the list 50 at a time; ARCHIVED customers are never exported.
`check` is the dry run (validateCustomer) for a customer in a JSON file (the
CreateCustomerInput fields); `create` creates it with the ERP ID as idempotency key, so
running it again for the same record never makes a second customer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from gql import Client, GraphQLRequest
from gql.client import AsyncClientSession
from gql.transport.httpx import HTTPXAsyncTransport

HERE = Path(__file__).resolve().parent
OPERATIONS = HERE / "operations"
SCHEMA = HERE.parent / "schema.graphql"
PAGE = 50


def operation(name: str, **variables: Any) -> GraphQLRequest:
    """clients/operations/<name>.graphql (one operation per file) with its variables."""
    text = (OPERATIONS / f"{name}.graphql").read_text()
    return GraphQLRequest(text, variable_values=variables, operation_name=name)


# Customers with running licenses. ARCHIVED is not among them (and lists leave it out unless
# a filter names it), BLOCKED, REJECTED and PENDING_APPROVAL have nothing to bill.
EXPORTED = ["ACTIVE", "SUSPENDED"]


async def active_customers(session: AsyncClientSession) -> AsyncIterator[dict[str, Any]]:
    offset = 0
    while True:
        result = await session.execute(
            operation(
                "OrganizationList",
                filter={"status": {"in": EXPORTED}, "kind": {"eq": "CUSTOMER"}},
                sorting=[{"field": "createdAt", "direction": "ASC"}],
                paging={"limit": PAGE, "offset": offset},
            )
        )
        page = result["organizations"]
        for row in page["nodes"]:
            profile = await session.execute(operation("OrganizationProfile", id=row["id"]))
            yield profile["organization"]
        offset += PAGE
        if offset >= page["totalCount"]:
            return


async def check(session: AsyncClientSession, form: dict[str, Any]) -> dict[str, Any]:
    result = (await session.execute(operation("ValidateCustomer", input=form)))["validateCustomer"]
    return {key: result[key] for key in ("valid", "errors", "normalized")}


async def create(session: AsyncClientSession, form: dict[str, Any]) -> dict[str, Any]:
    # The ERP ID as idempotency key: a retry after a timeout, or a second run over the same
    # records, answers with the customer the first call made (`replayed: true`).
    form = {**form, "idempotencyKey": f"erp-{form['erpId']}"}
    result = (await session.execute(operation("CreateCustomer", input=form)))["createCustomer"]
    if result["errors"]:
        return {"created": False, "errors": result["errors"]}
    return {"created": True, "replayed": result["replayed"], "customer": result["customer"]}


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the portal's /graphql URL")
    parser.add_argument("--token", required=True, help="a bearer token (portal token …)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("export", help="print ACTIVE and SUSPENDED customers as JSON lines")
    for name, help in (("check", "dry run: problems and normalized values"), ("create", "")):
        command = commands.add_parser(name, help=help or "create one customer, idempotently")
        command.add_argument("file", type=Path, help="JSON file with CreateCustomerInput fields")
    args = parser.parse_args(argv)

    transport = HTTPXAsyncTransport(
        url=args.url, headers={"Authorization": f"Bearer {args.token}"}, timeout=30
    )
    # With the schema, gql validates every request locally before sending it.
    client = Client(transport=transport, schema=SCHEMA.read_text())
    async with client as session:
        if args.command == "export":
            async for customer in active_customers(session):
                print(json.dumps(customer, sort_keys=True))
            return 0
        form = json.loads(args.file.read_text())
        if args.command == "check":
            outcome = await check(session, form)
            print(json.dumps(outcome, sort_keys=True))
            return 0 if outcome["valid"] else 1
        outcome = await create(session, form)
        print(json.dumps(outcome, sort_keys=True))
        return 0 if outcome["created"] else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
