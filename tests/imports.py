"""Helpers for the import tests: a GraphQL multipart upload, and waiting for an import."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
import time
from typing import Any

from resolvers.imports.columns import COLUMNS, LABELS
from tests.api import Api
from tests.server import ROOT

IMPORT = """
mutation Import($input: ImportCustomersInput!) {
  importCustomers(input: $input) {
    import { id status dryRun fileName totalRows processedRows }
    errors { field code message }
  }
}
"""
IMPORT_STATUS = """
query Status($id: ID!) {
  customerImport(id: $id) {
    id status dryRun fileName error totalRows processedRows createdCount failedCount
  }
}
"""
ROWS = """
query Rows($id: ID!, $onlyFailed: Boolean, $after: String) {
  customerImport(id: $id) {
    rows(onlyFailed: $onlyFailed, first: 100, after: $after) {
      nodes { rowNumber status customer { id } errors { column field code message } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""


def multipart(query: str, variables: dict[str, Any], content: bytes, name: str) -> dict[str, Any]:
    """httpx arguments for the GraphQL multipart request spec: `operations`, `map`, the file."""
    variables = {**variables, "input": {**variables["input"], "file": None}}
    return {
        "data": {
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        "files": {"0": (name, content, "application/octet-stream")},
    }


async def upload(
    api: Api,
    token: str,
    content: bytes,
    *,
    dry_run: bool = False,
    name: str = "customers.csv",
    reseller_id: str | None = None,
) -> dict[str, Any]:
    variables: dict[str, Any] = {"input": {"dryRun": dry_run, "resellerId": reseller_id}}
    response = await api.client.post(
        "/graphql",
        headers={"Authorization": f"Bearer {token}"},
        **multipart(IMPORT, variables, content, name),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["importCustomers"]
    return payload


async def finished(api: Api, token: str, import_id: str) -> dict[str, Any]:
    """The import once it is COMPLETED or FAILED (within a minute)."""
    deadline = time.monotonic() + 60
    while True:
        found = (await api.gql(IMPORT_STATUS, {"id": import_id}, token=token)).data
        current: dict[str, Any] = found["customerImport"]
        if current["status"] in {"COMPLETED", "FAILED"}:
            return current
        assert time.monotonic() < deadline, f"the import did not finish: {current}"
        await asyncio.sleep(0.05)


async def rows_of(
    api: Api, token: str, import_id: str, *, only_failed: bool = False
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    after = None
    while True:
        variables = {"id": import_id, "onlyFailed": only_failed, "after": after}
        page = (await api.gql(ROWS, variables, token=token)).data["customerImport"]["rows"]
        rows += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return rows
        after = page["pageInfo"]["endCursor"]


def cells(form: dict[str, Any]) -> list[str]:
    """A form (CreateCustomerInput as the API takes it) as a spreadsheet row."""
    out = []
    for column in COLUMNS:
        value: Any = form
        for part in column.path:
            value = (value or {}).get(part)
        out.append("" if value is None else str(value))
    return out


def csv_file(
    rows: list[list[str]], *, header: list[str] | None = None, sep: str = ",", bom: bool = False
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header or list(LABELS))
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def portal(*args: str) -> subprocess.CompletedProcess[str]:
    """The `portal` command, as a newcomer runs it."""
    return subprocess.run(
        [sys.executable, "-m", "portal.cli", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=180,
    )
