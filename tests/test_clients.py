"""The API as its clients use it, with their own tools, against a real server.

- refine's GraphQL data provider, unmodified (clients/admin-check/refine-check.mjs);
- the admin app's file upload: a FormData per the GraphQL multipart request spec, then polling
  customerImport (clients/admin-check/import-check.mjs);
- GraphQL Code Generator types for clients/operations and `tsc --noEmit` on a typed client;
- a Python service on `gql` (clients/erp_sync.py);
- the admin app's live status tab on `graphql-ws` (clients/admin-check/live-status.mjs).

Node and its packages come from `npm ci` in scripts/test.sh; see tests/node.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from resolvers.imports.columns import LABELS
from settings import Settings
from tests import node
from tests.api import Api
from tests.builders import numbered
from tests.imports import cells, csv_file
from tests.live import until_subscribed
from tests.queries import APPROVE, CREATE, REJECT
from tests.server import ROOT, running

OPERATIONS = ROOT / "clients" / "operations"
CUSTOMERS = 24  # statuses by number: 1 → ACTIVE, 2 → REJECTED, 3 and 0 → PENDING_APPROVAL (mod 4)


async def seed(api: Api) -> dict[int, str]:
    """Customers 001–024 under the first reseller; returns their global IDs by number."""
    token = api.token(api.world.reseller, "ADMIN")
    ids = {}
    for n in range(1, CUSTOMERS + 1):
        created = (await api.gql(CREATE, {"input": numbered(n)}, token=token)).data
        assert not created["createCustomer"]["errors"], created
        ids[n] = created["createCustomer"]["customer"]["id"]
        if n % 4 == 1:
            await api.gql(APPROVE, {"input": {"id": ids[n]}}, token=token)
        elif n % 4 == 2:
            await api.gql(REJECT, {"input": {"id": ids[n], "reason": "test"}}, token=token)
    return ids


SUSPEND = """mutation($input: SuspendCustomerInput!) {
  suspendCustomer(input: $input) { errors { code } } }"""
ARCHIVE = """mutation($input: ArchiveCustomerInput!) {
  archiveCustomer(input: $input) { errors { code } } }"""


def names(*numbers: int) -> list[str]:
    return [f"Customer {n:03d}" for n in numbers]


def test_every_operation_is_valid_against_the_schema() -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text())
    files = sorted(OPERATIONS.glob("*.graphql"))
    assert {f.stem for f in files} >= {
        "OrganizationList",
        "OrganizationProfile",
        "CreateCustomer",
        "ValidateCustomer",
        "ApproveCustomer",
        "RejectCustomer",
        "ReferenceData",
        "UpdateCustomer",
        "SuspendCustomer",
        "BlockCustomer",
        "ReactivateCustomer",
        "ResubmitCustomer",
        "ArchiveCustomer",
        "AuditLog",
        "OrganizationSwitcher",
        "OrganizationEvents",
        "ImportCustomers",
        "CustomerImport",
    }
    for file in files:
        document = parse(file.read_text())
        assert validate(schema, document) == [], file.name
        # One operation per file, named like the file: clients load them by name.
        [definition] = document.definitions
        assert definition.name is not None and definition.name.value == file.stem


async def test_refine_data_provider_lists_filters_sorts_pages_and_creates(
    api: Api, settings: Settings
) -> None:
    node_path = node.node()
    ids = await seed(api)
    token = api.token(api.world.reseller, "ADMIN")
    await api.gql(SUSPEND, {"input": {"id": ids[13], "reason": "unpaid"}}, token=token)
    elsewhere = await api.gql(
        CREATE, {"input": numbered(90)}, token=api.token(api.world.other_reseller, "ADMIN")
    )
    assert elsewhere.data["createCustomer"]["errors"] == []
    async with running(settings) as server:
        done = await asyncio.to_thread(
            node.run,
            node_path,
            "refine-check.mjs",
            env={
                "PORTAL_URL": f"{server.url}/graphql",
                "PORTAL_TOKEN": api.token(api.world.reseller, "ADMIN", sub="refine"),
                "PORTAL_IDS": ",".join([ids[1], ids[5], ids[9]]),
                "PORTAL_SWITCH_TOKEN": api.token(api.world.distributor, "ADMIN", sub="refine"),
                "PORTAL_ORGANIZATION": api.world.reseller,
            },
        )
    report = json.loads(done.stdout)
    pending = [n for n in range(1, CUSTOMERS + 1) if n % 4 in (0, 3)]
    assert report["pendingPage2"] == {"total": len(pending), "names": names(*pending[5:10])}
    assert report["suspended"] == {"total": 1, "names": names(13)}
    # Switched into the reseller, the distributor's user sees the reseller's customers only.
    assert report["actingIn"] == {"total": CUSTOMERS, "everywhere": CUSTOMERS + 1}
    assert report["containsSearch"] == {"total": 10, "names": names(*range(19, 9, -1))}
    assert report["erpDescPage2"] == {
        "total": CUSTOMERS,
        "erpIds": [f"ERP-{n:03d}" for n in range(14, 4, -1)],
    }
    assert report["getOne"] == {
        "id": ids[1],
        "shortName": "Customer 001",
        "history": [[None, "PENDING_APPROVAL"], ["PENDING_APPROVAL", "ACTIVE"]],
    }
    assert sorted(report["getMany"]["ids"]) == sorted([ids[1], ids[5], ids[9]])
    # The custom create mapping: field errors keyed by their path in the form.
    assert report["invalidCreate"]["thrown"] is True
    assert report["invalidCreate"]["statusCode"] == 422
    assert set(report["invalidCreate"]["errors"]) == {
        "primaryContact.email",
        "primaryContact.phone",
    }
    assert report["create"]["status"] == "PENDING_APPROVAL"
    assert report["create"]["erpId"] == "REFINE-1"


async def test_admin_app_uploads_a_file_and_follows_the_import(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    node_path = node.node()
    rows = [cells(numbered(n)) for n in range(3)]
    rows[1][LABELS.index("Email address")] = "jan@"
    sheet = tmp_path / "customers.csv"
    sheet.write_bytes(csv_file(rows, bom=True))
    # A distributor's user switched into the reseller: the header rides on multipart too.
    async with running(settings, PORTAL_JOB_POLL_SECONDS="0.1") as server:
        done = await asyncio.to_thread(
            node.run,
            node_path,
            "import-check.mjs",
            env={
                "PORTAL_URL": f"{server.url}/graphql",
                "PORTAL_TOKEN": api.token(api.world.distributor, "ADMIN", sub="admin-app"),
                "PORTAL_ORGANIZATION": api.world.reseller,
                "PORTAL_FILE": str(sheet),
            },
        )
    report = json.loads(done.stdout)
    assert report["refused"] == {"import": None, "errors": [[["file"], "INVALID_FORMAT"]]}
    dry, real = report["dryRun"], report["real"]
    assert (dry["queued"], dry["fileName"]) == ("QUEUED", "customers.csv")
    assert dry["final"] == {
        "status": "COMPLETED",
        "dryRun": True,
        "totalRows": 3,
        "processedRows": 3,
        "createdCount": 0,
        "failedCount": 1,
    }
    # Progress only grows, and the last poll saw every row handled.
    done_counts = [processed for processed, _ in dry["progress"]]
    assert done_counts == sorted(done_counts) and dry["progress"][-1] == [3, 3]
    assert dry["failedRows"] == [[3, "FAILED", "Email address", "INVALID_EMAIL"]]
    assert (real["final"]["createdCount"], real["final"]["failedCount"]) == (2, 1)
    assert real["failedRows"] == dry["failedRows"]
    # Created under the reseller the header selected, as its own token sees them.
    listed = await api.gql(
        "{ organizations(filter: {kind: {eq: CUSTOMER}}) { nodes { shortName } } }",
        token=api.token(api.world.reseller, "VIEWER"),
    )
    names = sorted(n["shortName"] for n in listed.data["organizations"]["nodes"])
    assert names == ["Customer 000", "Customer 002"]


async def test_admin_app_shows_a_live_status_change_from_the_subscription(
    api: Api, settings: Settings
) -> None:
    """clients/admin-check/live-status.mjs (graphql-ws) watches a customer's status tab while
    the customer is approved and then suspended by someone else."""
    node_path = node.node()
    token = api.token(api.world.reseller, "ADMIN")
    created = (await api.gql(CREATE, {"input": numbered(1)}, token=token)).data["createCustomer"]
    customer = created["customer"]["id"]
    async with running(settings, PORTAL_SUBSCRIPTION_POLL_SECONDS="0.05") as server:
        watcher = await asyncio.create_subprocess_exec(
            node_path,
            "live-status.mjs",
            cwd=node.ADMIN_CHECK,
            env={
                **os.environ,
                "PORTAL_URL": f"{server.url}/graphql",
                "PORTAL_TOKEN": api.token(api.world.reseller, "VIEWER", sub="admin-app"),
                "PORTAL_CUSTOMER": customer,
            },
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            try:
                await until_subscribed(server.url, 1)
            except AssertionError:
                if watcher.returncode is None:
                    watcher.kill()
                out, err = await watcher.communicate()
                pytest.fail(f"live-status.mjs did not subscribe: {err.decode()}")
            await api.gql(APPROVE, {"input": {"id": customer}}, token=token)
            await api.gql(SUSPEND, {"input": {"id": customer, "reason": "unpaid"}}, token=token)
            out, err = await asyncio.wait_for(watcher.communicate(), 60)
        finally:
            if watcher.returncode is None:
                watcher.kill()
                await watcher.wait()
    assert watcher.returncode == 0, err.decode()
    page = json.loads(out)
    assert page["changes"] == [["PENDING_APPROVAL", "ACTIVE"], ["ACTIVE", "SUSPENDED"]]
    assert page["statusTab"][-1] == "SUSPENDED"
    assert "Customer 001: ACTIVE → SUSPENDED" in err.decode()


def test_codegen_types_the_operations_and_tsc_accepts_the_typed_client() -> None:
    node.node()
    generated = node.ADMIN_CHECK / "src" / "generated"
    for stale in generated.glob("*.ts"):
        stale.unlink()
    node.run(node.tool("graphql-codegen"), "--config", "codegen.yml")
    assert (generated / "operations.ts").is_file() and (generated / "schema.ts").is_file()
    assert "export type OrganizationListQuery = " in (generated / "operations.ts").read_text()
    node.run(node.tool("tsc"), "--noEmit", "-p", ".")


def _erp_sync(url: str, token: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "clients" / "erp_sync.py"), "--url", url, "--token", token]
        + list(args),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_python_service_with_gql_exports_checks_and_creates_idempotently(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    ids = await seed(api)
    token = api.token(api.world.reseller, "ADMIN", sub="erp-sync")
    # Customer 005 is suspended (still exported), 002 archived (never).
    await api.gql(SUSPEND, {"input": {"id": ids[5], "reason": "unpaid"}}, token=token)
    await api.gql(ARCHIVE, {"input": {"id": ids[2], "reason": "gone"}}, token=token)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(numbered(30)))
    bad.write_text(json.dumps({**numbered(31), "taxId": "NL123", "currency": "XXX"}))
    async with running(settings) as server:
        url = f"{server.url}/graphql"
        export, check_bad, first = await asyncio.gather(
            asyncio.to_thread(_erp_sync, url, token, "export"),
            asyncio.to_thread(_erp_sync, url, token, "check", str(bad)),
            asyncio.to_thread(_erp_sync, url, token, "create", str(good)),
        )
        again = await asyncio.to_thread(_erp_sync, url, token, "create", str(good))

    assert export.returncode == 0, export.stderr
    rows = [json.loads(line) for line in export.stdout.splitlines()]
    assert [r["erpId"] for r in rows] == [f"ERP-{n:03d}" for n in range(1, CUSTOMERS + 1, 4)]
    statuses = {r["erpId"]: r["status"] for r in rows}
    assert statuses.pop("ERP-005") == "SUSPENDED"
    assert set(statuses.values()) == {"ACTIVE"}
    assert all(r["history"]["totalCount"] == 2 for r in rows if r["status"] == "ACTIVE")

    assert check_bad.returncode == 1, check_bad.stderr
    problems = {tuple(e["field"]): e["code"] for e in json.loads(check_bad.stdout)["errors"]}
    assert problems[("currency",)] == "UNSUPPORTED_CURRENCY"
    assert ("taxId",) in problems

    assert first.returncode == 0, first.stderr
    created, replayed = json.loads(first.stdout), json.loads(again.stdout)
    assert created["replayed"] is False and replayed["replayed"] is True
    assert replayed["customer"]["id"] == created["customer"]["id"]


@pytest.mark.parametrize("name", ["OrganizationList", "CreateCustomer"])
def test_gql_refuses_an_operation_the_schema_does_not_have(name: str) -> None:
    """gql checks requests against schema.graphql before sending: drift fails in the client."""
    from gql import Client, GraphQLRequest

    client = Client(schema=(ROOT / "schema.graphql").read_text())
    text = (OPERATIONS / f"{name}.graphql").read_text().replace("id\n", "idd\n", 1)
    with pytest.raises(Exception, match="idd"):
        client.validate(GraphQLRequest(text))
