"""`portal export` (and `portal import`): the API's spreadsheet features from a terminal.

They speak HTTP to a running portal with a bearer token, exactly as any other client does;
nothing here touches the database.
"""

from __future__ import annotations

import json
import sys
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


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=url.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, timeout=60
    )


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


def export(*, url: str, token: str, status: str | None, output: Path | None) -> int:
    filter_ = {"status": {"eq": status.upper()}} if status else None
    try:
        with _client(url, token) as client:
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
