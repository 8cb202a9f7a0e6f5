"""GET /imports/template.csv and GET /exports/organizations.csv: tokens, tenancy, filters,
formula escaping, and streaming with memory bounded by one batch."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from models import Organization, OrganizationKind, OrganizationStatus
from resolvers import global_id
from resolvers.imports.columns import EXAMPLE, LABELS
from resolvers.imports.export import EXPORT_LABELS
from settings import Settings
from tests.api import Api
from tests.builders import customer_input, numbered
from tests.imports import portal
from tests.queries import APPROVE, CREATE
from tests.server import running

EXPORT = "/exports/organizations.csv"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _table(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "spreadsheets need the UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(body[3:].decode("utf-8"), newline="")))


async def _export(
    api: Api, token: str, filter: dict[str, Any] | None = None, *, org: str | None = None
) -> list[dict]:
    params = {"filter": json.dumps(filter)} if filter is not None else {}
    headers = _auth(token) | ({"X-Organization-ID": org} if org is not None else {})
    response = await api.client.get(EXPORT, params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    header, *rows = _table(response.content)
    assert tuple(header) == EXPORT_LABELS
    return [dict(zip(header, row, strict=True)) for row in rows]


async def _create(api: Api, token: str, data: dict[str, Any]) -> str:
    payload = (await api.gql(CREATE, {"input": data}, token=token)).data["createCustomer"]
    assert payload["errors"] == [], payload["errors"]
    return str(payload["customer"]["id"])


async def test_template_is_the_header_and_an_example_row(api: Api) -> None:
    assert (await api.client.get("/imports/template.csv")).status_code == 401
    token = api.token(api.world.reseller, "VIEWER")
    response = await api.client.get("/imports/template.csv", headers=_auth(token))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert _table(response.content) == [list(LABELS), list(EXAMPLE)]


async def test_export_needs_a_token(api: Api) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic x"}):
        response = await api.client.get(EXPORT, headers=headers)
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    no_roles = api.tokens.mint(
        subject="x",
        org_id=global_id.decode_uuid(api.world.reseller, "Organization"),  # type: ignore[arg-type]
        roles=[],
    )
    assert (await api.client.get(EXPORT, headers=_auth(no_roles))).status_code == 403


async def test_export_shows_what_organizations_shows_in_the_forms_columns(api: Api) -> None:
    reseller = api.token(api.world.reseller, "ADMIN")
    other = api.token(api.world.other_reseller, "ADMIN")
    mine = await _create(api, reseller, customer_input())
    theirs = await _create(api, other, numbered(7))

    rows = {row["ID"]: row for row in await _export(api, reseller)}
    # The reseller's own organization, its ancestor and its customer; never the other's.
    assert set(rows) == {api.world.distributor, api.world.reseller, mine}
    assert theirs not in rows
    copaco = rows[mine]
    assert copaco["Short name"] == "Copaco"
    assert copaco["Tax ID"] == "NL006486253B01"
    assert copaco["Zip/Postal code"] == "5652 AW"
    assert copaco["Email address"] == "Jan@copaco.nl"  # the domain is case-insensitive
    # E.164 starts with "+", so the spreadsheet must be told it is text.
    assert copaco["Phone number"] == "'+31402506000"
    assert copaco["Kind"] == "CUSTOMER"
    assert copaco["Status"] == "PENDING_APPROVAL"
    assert copaco["Industry"] == "NON_PROFIT"
    assert datetime.fromisoformat(copaco["Created at"]).tzinfo is not None
    assert copaco["Created at"].endswith("Z")

    everything = {row["ID"] for row in await _export(api, api.token(api.world.distributor))}
    assert {mine, theirs, api.world.other_reseller} <= everything


async def test_export_acts_in_the_organization_the_header_selects(api: Api) -> None:
    w = api.world
    mine = await _create(api, api.token(w.reseller), customer_input())
    theirs = await _create(api, api.token(w.other_reseller), numbered(7))
    distributor = api.token(w.distributor, "ADMIN")
    own = {row["ID"] for row in await _export(api, api.token(w.reseller, "VIEWER"))}
    switched = await _export(api, distributor, org=w.reseller)
    # Exactly what the reseller's own token exports: itself, its ancestor, its customer.
    assert {row["ID"] for row in switched} == own == {w.distributor, w.reseller, mine}
    assert theirs not in {row["ID"] for row in await _export(api, distributor, org=w.reseller)}
    # The filter applies inside the acting organization, as organizations(filter:) does there.
    customers = await _export(api, distributor, {"kind": {"eq": "CUSTOMER"}}, org=w.reseller)
    assert [row["ID"] for row in customers] == [mine]
    # The token's own organization is a valid choice, and changes nothing.
    everything = {row["ID"] for row in await _export(api, distributor, org=w.distributor)}
    assert {mine, theirs, w.other_reseller} <= everything


async def test_export_refuses_a_switch_as_graphql_does(api: Api) -> None:
    w = api.world
    foreign = await _create(api, api.token(w.other_reseller), numbered(7))
    token = api.token(w.reseller, "ADMIN")
    missing = global_id.encode("Organization", uuid4())
    for org in [w.other_reseller, foreign, w.distributor, missing, "nonsense", ""]:
        headers = _auth(token) | {"X-Organization-ID": org}
        exported = await api.client.get(EXPORT, headers=headers)
        template = await api.client.get("/imports/template.csv", headers=headers)
        graphql = await api.client.post(
            "/graphql", json={"query": "{ organizations { totalCount } }"}, headers=headers
        )
        assert graphql.status_code == 403, org
        assert exported.status_code == template.status_code == 403, org
        # The same body: the header cannot tell what exists, here as there.
        assert exported.json() == template.json() == graphql.json(), org
        assert exported.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    # A switch is no way around the token: a bad one is still 401, whatever the header says.
    bad = {"Authorization": "Bearer nonsense", "X-Organization-ID": w.reseller}
    assert (await api.client.get(EXPORT, headers=bad)).status_code == 401
    # Acting in a customer, a reseller's user reads what the customer's own users read.
    customer = await _create(api, token, customer_input())
    inside = await _export(api, token, org=customer)
    assert {row["ID"] for row in inside} == {w.distributor, w.reseller, customer}


async def test_export_takes_the_organizations_filter(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    ids = [await _create(api, token, numbered(n)) for n in range(3)]
    await api.gql(APPROVE, {"input": {"id": ids[1]}}, token=token)
    active = await _export(api, token, {"status": {"eq": "ACTIVE"}, "kind": {"eq": "CUSTOMER"}})
    assert [row["ID"] for row in active] == [ids[1]]
    either = await _export(api, token, {"or": [{"erpId": {"eq": "ERP-000"}}, {"search": "002"}]})
    assert [row["ID"] for row in either] == [ids[0], ids[2]]
    for bad in ("{", '{"status": {"eq": "NOPE"}}', '{"unknown": 1}', "[" * 50 + "]" * 50):
        response = await api.client.get(EXPORT, params={"filter": bad}, headers=_auth(token))
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_formula_like_cells_are_escaped(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    names = {"=HYPERLINK(1)": "ERP-A", "+SUM(1,2)": "ERP-B", "-2+3": "ERP-C", "@cmd": "ERP-D"}
    for n, (name, erp) in enumerate(names.items()):
        await _create(api, token, {**numbered(n), "shortName": name, "erpId": erp})
    rows = {row["ERP ID"]: row for row in await _export(api, token, {"kind": {"eq": "CUSTOMER"}})}
    for name, erp in names.items():
        assert rows[erp]["Short name"] == "'" + name
    # Plain text is left alone.
    assert rows["ERP-A"]["City"] == "Eindhoven"


async def _bulk_customers(api: Api, count: int) -> None:
    """Customers written straight to the table (the API would take minutes for 20,000);
    every third shares its creation time with the next, so paging must break ties by ID."""
    parent = global_id.decode_uuid(api.world.reseller, "Organization")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    await Organization.bulk_create(
        [
            Organization(
                id=uuid4(),
                kind=OrganizationKind.CUSTOMER,
                status=OrganizationStatus.ACTIVE,
                parent_id=parent,
                short_name=f"Bulk {n}",
                full_name=f"Bulk Customer {n}",
                erp_id=f"B-{n}",
                created_at=start + timedelta(microseconds=n - n % 3),
                updated_at=start,
            )
            for n in range(count)
        ],
        batch_size=1000,
    )


async def _streamed(api: Api, token: str) -> tuple[int, int, int]:
    """(chunks, bytes, lines) of the export, and tracemalloc's peak while it streamed, driving
    the ASGI app directly: httpx's ASGI transport would hold the whole body in memory."""
    path = EXPORT
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"portal"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 1),
        "server": ("portal", 80),
    }
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError("unreachable")

    chunks = size = lines = 0

    async def send(message: dict[str, Any]) -> None:
        nonlocal chunks, size, lines
        if message["type"] == "http.response.start":
            assert message["status"] == 200
        elif message["type"] == "http.response.body" and message.get("body"):
            chunks += 1
            size += len(message["body"])
            lines += message["body"].count(b"\r\n")

    tracemalloc.start()
    try:
        await api.app(scope, receive, send)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return chunks, lines, peak


async def test_export_streams_20000_rows_in_bounded_memory(api: Api) -> None:
    token = api.token(api.world.reseller, "VIEWER")
    await _bulk_customers(api, 2000)
    exported = await _export(api, token, {"kind": {"eq": "CUSTOMER"}})
    assert len({row["ID"] for row in exported}) == 2000, "no row skipped or repeated"
    small_chunks, small_lines, small_peak = await _streamed(api, token)
    await Organization.filter(kind=OrganizationKind.CUSTOMER).delete()
    await _bulk_customers(api, 20000)
    chunks, lines, peak = await _streamed(api, token)
    # Header + the reseller + its distributor + the customers.
    assert (small_lines, lines) == (2003, 20003)
    assert chunks > 20 and small_chunks > 2, "sent in pieces, not as one body"
    # Ten times the rows, about the same memory: one batch is held, never the list.
    assert peak < 2 * small_peak, (peak, small_peak)


async def test_portal_export_writes_the_pending_list(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    ids = [await _create(api, token, numbered(n)) for n in range(3)]
    await api.gql(APPROVE, {"input": {"id": ids[0]}}, token=token)
    target = tmp_path / "pending.csv"
    async with running(settings) as server:
        base = server.url
        done = await asyncio.to_thread(
            portal, "export", "--token", token, "--url", base,
            "--status", "PENDING_APPROVAL", "-o", str(target),
        )  # fmt: skip
        refused = await asyncio.to_thread(portal, "export", "--token", "bad", "--url", base)
    assert done.returncode == 0, done.stderr
    assert "Exporting [##############################] 2/2" in done.stderr
    header, *rows = _table(target.read_bytes())
    assert [row[header.index("ID")] for row in rows] == ids[1:]
    assert refused.returncode == 1 and "invalid or expired" in refused.stderr


async def test_portal_export_acts_in_the_organization_given(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    w = api.world
    mine = [await _create(api, api.token(w.reseller), numbered(n)) for n in range(2)]
    await _create(api, api.token(w.other_reseller), numbered(7))
    distributor = api.token(w.distributor, "ADMIN")
    target = tmp_path / "reseller.csv"
    async with running(settings) as server:
        base = server.url
        done = await asyncio.to_thread(
            portal, "export", "--token", distributor, "--url", base,
            "--organization", w.reseller, "--status", "PENDING_APPROVAL", "-o", str(target),
        )  # fmt: skip
        refused = await asyncio.to_thread(
            portal, "export", "--token", api.token(w.reseller), "--url", base,
            "--organization", w.other_reseller, "-o", str(tmp_path / "refused.csv"),
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    # The count behind the progress bar is the acting organization's too.
    assert "Exporting [##############################] 2/2" in done.stderr
    header, *rows = _table(target.read_bytes())
    assert [row[header.index("ID")] for row in rows] == mine
    assert refused.returncode == 1
    assert "X-Organization-ID names no organization you may act in" in refused.stderr
