"""`portal export` (and `portal import`): the API's spreadsheet features from a terminal.

They speak HTTP to a running portal with a bearer token, exactly as any other client does;
nothing here touches the database.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx

DEFAULT_URL = "http://127.0.0.1:8000"
COUNT = """
query ExportCount($filter: OrganizationFilter) { organizations(filter: $filter) { totalCount } }
"""


class CommandError(Exception):
    """What went wrong, for the terminal; the command exits non-zero."""


class Progress:
    """A one-line progress bar on stderr (redrawn in place on a terminal, once at the end
    otherwise, so logs of scripted runs stay readable)."""

    WIDTH = 30

    def __init__(self, label: str, total: int | None, stream: IO[str] = sys.stderr) -> None:
        self.label, self.total, self.stream = label, total, stream
        self.live = stream.isatty()
        self.done = 0

    def update(self, done: int, total: int | None = None) -> None:
        self.done, self.total = done, total if total is not None else self.total
        if self.live:
            self.stream.write("\r" + self._line())
            self.stream.flush()

    def finish(self) -> None:
        self.stream.write(("\r" if self.live else "") + self._line() + "\n")
        self.stream.flush()

    def _line(self) -> str:
        if not self.total:
            return f"{self.label}: {self.done}"
        filled = min(self.WIDTH, self.WIDTH * self.done // self.total)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        return f"{self.label} [{bar}] {self.done}/{self.total}"


def _client(url: str, token: str, organization: str | None) -> httpx.Client:
    """Every request with the token, and in `organization` when given: the header the
    portal's "select organization" control sends, for GraphQL and the export alike."""
    headers = {"Authorization": f"Bearer {token}"}
    if organization:
        headers["X-Organization-ID"] = organization
    return httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=60)


def graphql(client: httpx.Client, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables})
    return _answer(response)


def _answer(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise CommandError(f"The server answered {response.status_code}.") from None
    if body.get("errors"):
        raise CommandError("; ".join(e.get("message", "?") for e in body["errors"]))
    if response.status_code != 200 or not isinstance(body.get("data"), dict):
        raise CommandError(f"The server answered {response.status_code}.")
    data: dict[str, Any] = body["data"]
    return data


def export(
    *,
    url: str,
    token: str,
    status: str | None,
    output: Path | None,
    organization: str | None = None,
) -> int:
    filter_ = {"status": {"eq": status.upper()}} if status else None
    try:
        with _client(url, token, organization) as client:
            total = graphql(client, COUNT, {"filter": filter_})["organizations"]["totalCount"]
            progress = Progress("Exporting", total)
            params = {"filter": json.dumps(filter_)} if filter_ else {}
            with client.stream("GET", "/exports/organizations.csv", params=params) as response:
                if response.status_code != 200:
                    response.read()
                    _answer(response)
                target = output.open("wb") if output else sys.stdout.buffer
                try:
                    rows = -1  # the header is not an organization
                    for chunk in response.iter_bytes():
                        target.write(chunk)
                        rows += chunk.count(b"\r\n")
                        progress.update(max(rows, 0))
                finally:
                    if output:
                        target.close()
            progress.finish()
    except (CommandError, httpx.HTTPError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if output:
        print(f"Wrote {max(rows, 0)} organizations to {output}.", file=sys.stderr)
    return 0


IMPORT = """
mutation Import($input: ImportCustomersInput!) {
  importCustomers(input: $input) { import { id } errors { field code message } }
}
"""
STATUS = """
query ImportStatus($id: ID!) {
  customerImport(id: $id) {
    status dryRun error totalRows processedRows createdCount failedCount
  }
}
"""
FAILED_ROWS = """
query ImportFailures($id: ID!, $after: String) {
  customerImport(id: $id) {
    rows(onlyFailed: true, first: 100, after: $after) {
      nodes { rowNumber status errors { column code message } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""
POLL_SECONDS = 0.5


def _upload(client: httpx.Client, path: Path, dry_run: bool) -> str:
    operations = {
        "query": IMPORT,
        "variables": {"input": {"file": None, "dryRun": dry_run}},
    }
    with path.open("rb") as file:
        response = client.post(
            "/graphql",
            data={
                "operations": json.dumps(operations),
                "map": json.dumps({"0": ["variables.input.file"]}),
            },
            files={"0": (path.name, file, "application/octet-stream")},
        )
    payload = _answer(response)["importCustomers"]
    if payload["errors"]:
        raise CommandError("\n".join(f"{path.name}: {e['message']}" for e in payload["errors"]))
    import_id: str = payload["import"]["id"]
    return import_id


def _failures(client: httpx.Client, import_id: str) -> list[tuple[int, str, str, str, str]]:
    lines, after = [], None
    while True:
        data = graphql(client, FAILED_ROWS, {"id": import_id, "after": after})
        page = data["customerImport"]["rows"]
        for row in page["nodes"]:
            for error in row["errors"] or [{"column": None, "code": "", "message": ""}]:
                lines.append(
                    (
                        row["rowNumber"],
                        row["status"],
                        error["column"] or "",
                        error["code"],
                        error["message"],
                    )
                )
        if not page["pageInfo"]["hasNextPage"]:
            return lines
        after = page["pageInfo"]["endCursor"]


def _table(lines: list[tuple[int, str, str, str, str]]) -> str:
    head = ("Row", "Status", "Column", "Code", "Message")
    cells = [head, *((str(n), s, c, code, m) for n, s, c, code, m in lines)]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + "  "
        + row[4]
        for row in cells
    )


def import_file(
    *, url: str, token: str, path: Path, dry_run: bool, organization: str | None = None
) -> int:
    """Upload, follow the import to its end, print the failed rows; 1 when any row failed."""
    try:
        with _client(url, token, organization) as client:
            import_id = _upload(client, path, dry_run)
            progress = Progress("Dry run" if dry_run else "Importing", None)
            while True:
                status = graphql(client, STATUS, {"id": import_id})["customerImport"]
                progress.update(status["processedRows"], status["totalRows"])
                if status["status"] in {"COMPLETED", "FAILED"}:
                    break
                time.sleep(POLL_SECONDS)
            progress.finish()
            if status["status"] == "FAILED":
                raise CommandError(status["error"] or "The import failed.")
            lines = _failures(client, import_id) if status["failedCount"] else []
    except (CommandError, httpx.HTTPError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if lines:
        print(_table(lines), file=sys.stderr)
    valid = status["processedRows"] - status["failedCount"]
    if dry_run:
        summary = f"Dry run: {valid} rows valid, {status['failedCount']} failed; nothing written."
    else:
        summary = (
            f"Created {status['createdCount']} customers; {status['failedCount']} rows failed."
        )
    print(summary, file=sys.stderr)
    return 1 if status["failedCount"] else 0
