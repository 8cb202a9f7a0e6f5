"""Imports across processes: a server killed mid-import resumes where it stopped, and the
newcomer's path through the `portal` command (template, dry run, fix, import, export)."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from pathlib import Path
from typing import Any

import httpx

from resolvers.imports.columns import LABELS
from settings import Settings
from tests.builders import numbered
from tests.conftest import ApiFactory
from tests.imports import IMPORT, IMPORT_STATUS, cells, csv_file, multipart, portal, rows_of
from tests.server import running


async def _status(client: httpx.AsyncClient, import_id: str) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": IMPORT_STATUS, "variables": {"id": import_id}}
    )
    status: dict[str, Any] = response.json()["data"]["customerImport"]
    return status


async def test_sigkill_mid_import_resumes_where_it_stopped(
    api_factory: ApiFactory, settings: Settings
) -> None:
    total = 300
    # This process runs no jobs: the servers below do, and one of them is killed.
    async with api_factory(jobs_in_server=False) as api:
        token = api.token(api.world.reseller, "ADMIN")
        auth = {"Authorization": f"Bearer {token}"}
        env = {"PORTAL_JOB_LEASE_SECONDS": "2", "PORTAL_JOB_POLL_SECONDS": "0.1"}
        # The last row is the first one again under another ERP ID: the run that resumes must
        # still know row 2, handled before the kill, to call it that row's DUPLICATE.
        again = {**numbered(0), "erpId": "ERP-AGAIN"}
        content = csv_file([cells(numbered(n)) for n in range(total)] + [cells(again)])
        async with running(settings, **env) as first:
            async with httpx.AsyncClient(base_url=first.url, headers=auth, timeout=30) as client:
                variables = {"input": {"dryRun": False}}
                response = await client.post(
                    "/graphql", **multipart(IMPORT, variables, content, "big.csv")
                )
                import_id = response.json()["data"]["importCustomers"]["import"]["id"]
                deadline = time.monotonic() + 60
                while (await _status(client, import_id))["processedRows"] < 5:
                    assert time.monotonic() < deadline
                    await asyncio.sleep(0.02)
            await asyncio.to_thread(first.kill)
        done_before = await rows_of(api, token, import_id)
        before = {r["rowNumber"]: r["customer"]["id"] for r in done_before}
        assert 0 < len(before) < total and 2 in before, "killed mid-import"

        async with running(settings, **env) as second:
            async with httpx.AsyncClient(base_url=second.url, headers=auth, timeout=30) as client:
                deadline = time.monotonic() + 120
                while (status := await _status(client, import_id))["status"] != "COMPLETED":
                    assert time.monotonic() < deadline, status
                    await asyncio.sleep(0.1)
        assert (status["processedRows"], status["createdCount"], status["failedCount"]) == (
            total + 1,
            total,
            1,
        )
        *created, last = await rows_of(api, token, import_id)
        after = {r["rowNumber"]: r["customer"]["id"] for r in created}
        assert len(after) == total and len(set(after.values())) == total
        assert (last["rowNumber"], last["status"], last["customer"]) == (
            total + 2,
            "DUPLICATE",
            None,
        )
        assert [e["message"].split(" of this file")[0] for e in last["errors"]] == [
            "Row 2",
            "Row 2",
        ]  # its tax ID and registration number are row 2's
        # The rows done before the kill kept their customers: resumed, not started over.
        assert {n: after[n] for n in before} == before
        count = await api.gql(
            "{ organizations(filter: {kind: {eq: CUSTOMER}}) { totalCount } }", token=token
        )
        assert count.data["organizations"]["totalCount"] == total


async def test_newcomer_template_dry_run_fix_import_export(
    api_factory: ApiFactory, settings: Settings, tmp_path: Path
) -> None:
    async with api_factory(jobs_in_server=False) as api:
        token = api.token(api.world.reseller, "ADMIN")
        async with running(settings, PORTAL_JOB_POLL_SECONDS="0.1") as server:
            base = server.url
            async with httpx.AsyncClient(base_url=base) as client:
                template = await client.get(
                    "/imports/template.csv", headers={"Authorization": f"Bearer {token}"}
                )
            header, _example = list(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
            assert header == list(LABELS)
            rows = [cells(numbered(n)) for n in range(3)]
            rows[1][LABELS.index("Email address")] = "jan@"
            sheet = tmp_path / "customers.csv"
            sheet.write_bytes(csv_file(rows, bom=True))

            dry = await asyncio.to_thread(
                portal, "import", str(sheet), "--token", token, "--url", base, "--dry-run"
            )
            assert dry.returncode == 1, dry.stderr
            assert "Dry run [##############################] 3/3" in dry.stderr
            table = dry.stderr.splitlines()
            row = next(line for line in table if line.startswith("3 "))
            assert "FAILED" in row and "Email address" in row and "INVALID_EMAIL" in row
            assert "Dry run: 2 rows valid, 1 failed; nothing written." in dry.stderr

            rows[1][LABELS.index("Email address")] = "jan@example.com"
            sheet.write_bytes(csv_file(rows, bom=True))
            real = await asyncio.to_thread(
                portal, "import", str(sheet), "--token", token, "--url", base
            )
            assert real.returncode == 0, real.stderr
            assert "Created 3 customers; 0 rows failed." in real.stderr

            out = tmp_path / "pending.csv"
            exported = await asyncio.to_thread(
                portal, "export", "--token", token, "--url", base,
                "--status", "PENDING_APPROVAL", "-o", str(out),
            )  # fmt: skip
            assert exported.returncode == 0, exported.stderr
            lines = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
            assert sorted(line[LABELS.index("ERP ID")] for line in lines[1:]) == [
                "ERP-000",
                "ERP-001",
                "ERP-002",
            ]

            # An exported file imports as it is: every row is already there.
            again = await asyncio.to_thread(
                portal, "import", str(out), "--token", token, "--url", base
            )
            assert again.returncode == 1 and again.stderr.count("DUPLICATE") >= 3
