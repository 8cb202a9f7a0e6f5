"""importCustomers and customerImport through HTTP: GraphQL multipart uploads of CSV and XLSX,
dry runs, row errors, duplicates, limits and tenancy."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook

from resolvers.imports.columns import COLUMNS, LABELS
from tests.api import Api
from tests.builders import numbered
from tests.imports import IMPORT_STATUS, cells, csv_file, finished, rows_of, upload
from tests.queries import ORGANIZATION


def twenty_with_three_broken() -> list[list[str]]:
    rows = [cells(numbered(n)) for n in range(20)]
    email = LABELS.index("Email address")
    tax, city, industry = LABELS.index("Tax ID"), LABELS.index("City"), LABELS.index("Industry")
    rows[4][email] = "not-an-email"  # spreadsheet row 6
    rows[9][tax], rows[9][city] = "NL123", ""  # row 11: two problems at once
    rows[15][industry] = "Retail"  # row 17
    return rows


async def _count_customers(api: Api, token: str) -> int:
    query = "{ organizations(filter: {kind: {eq: CUSTOMER}}) { totalCount } }"
    return int((await api.gql(query, token=token)).data["organizations"]["totalCount"])


@pytest.fixture
async def importing(api_factory: Any) -> Any:
    async with api_factory(job_poll_seconds=0.05, jobs_in_server=True) as started:
        yield started


async def test_twenty_rows_three_broken_dry_run_then_real(importing: Api) -> None:
    api = importing
    token = api.token(api.world.reseller, "ADMIN")
    content = csv_file(twenty_with_three_broken())

    dry = await upload(api, token, content, dry_run=True)
    assert dry["errors"] == [] and dry["import"]["status"] in {"QUEUED", "RUNNING"}
    done = await finished(api, token, dry["import"]["id"])
    assert (done["status"], done["dryRun"], done["totalRows"], done["processedRows"]) == (
        "COMPLETED",
        True,
        20,
        20,
    )
    assert (done["createdCount"], done["failedCount"]) == (0, 3)
    assert await _count_customers(api, token) == 0, "a dry run writes no customer"
    failed = await rows_of(api, token, dry["import"]["id"], only_failed=True)
    assert [(r["rowNumber"], r["status"]) for r in failed] == [
        (6, "FAILED"),
        (11, "FAILED"),
        (17, "FAILED"),
    ]
    assert failed[0]["errors"] == [
        {
            "column": "Email address",
            "field": ["primaryContact", "email"],
            "code": "INVALID_EMAIL",
            "message": failed[0]["errors"][0]["message"],
        }
    ]
    # Every problem of a row at once, each tied to its column and field.
    assert {(e["column"], tuple(e["field"])) for e in failed[1]["errors"]} == {
        ("Tax ID", ("taxId",)),
        ("City", ("primaryAddress", "city")),
    }
    assert [(e["column"], e["code"]) for e in failed[2]["errors"]] == [
        ("Industry", "INVALID_FORMAT")
    ]
    every = await rows_of(api, token, dry["import"]["id"])
    assert [r["status"] for r in every].count("VALID") == 17 and len(every) == 20

    real = await upload(api, token, content)
    done = await finished(api, token, real["import"]["id"])
    assert (done["status"], done["createdCount"], done["failedCount"]) == ("COMPLETED", 17, 3)
    assert await _count_customers(api, token) == 17
    created = [r for r in await rows_of(api, token, real["import"]["id"]) if r["customer"]]
    assert len(created) == 17 and all(r["status"] == "CREATED" for r in created)
    # Made through createCustomer's own path: pending, with its creation in the history.
    first = (await api.gql(ORGANIZATION, {"id": created[0]["customer"]["id"]}, token=token)).data
    assert first["organization"]["status"] == "PENDING_APPROVAL"
    assert first["organization"]["shortName"] == "Customer 000"


@pytest.mark.parametrize(
    ("style", "sep", "bom"),
    [("labels", ",", False), ("names", ";", True), ("labels", ";", False), ("names", ",", True)],
)
async def test_header_styles_separators_bom_and_quoted_fields(
    importing: Api, style: str, sep: str, bom: bool
) -> None:
    api = importing
    token = api.token(api.world.reseller, "ADMIN")
    header = list(LABELS) if style == "labels" else [c.name for c in COLUMNS]
    header.append("Notes")  # a column of the user's own is ignored
    rows = [[*cells(numbered(n)), "call\nfirst"] for n in range(2)]  # a line break inside
    rows[0][1] = 'Copaco, "Netherlands"; B.V.'  # separators and quotes inside a quoted field
    started = await upload(api, token, csv_file(rows, header=header, sep=sep, bom=bom))
    assert started["errors"] == []
    done = await finished(api, token, started["import"]["id"])
    assert (done["createdCount"], done["failedCount"]) == (2, 0), done
    created = await rows_of(api, token, started["import"]["id"])
    assert [r["rowNumber"] for r in created] == [2, 3]
    one = (await api.gql(ORGANIZATION, {"id": created[0]["customer"]["id"]}, token=token)).data
    assert one["organization"]["fullName"] == 'Copaco, "Netherlands"; B.V.'


def xlsx_file(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header or list(LABELS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_xlsx_with_numbers_typed_as_numbers(importing: Api) -> None:
    api = importing
    token = api.token(api.world.reseller, "ADMIN")
    rows: list[list[Any]] = [cells(numbered(n)) for n in range(3)]
    erp, registration = LABELS.index("ERP ID"), LABELS.index("Registration number")
    rows[0][erp] = 4711  # a spreadsheet keeps numbers as numbers
    rows[0][registration] = 17048595.0
    rows[2][LABELS.index("Email address")] = "nope"
    started = await upload(api, token, xlsx_file(rows), name="customers.xlsx")
    assert started["errors"] == []
    done = await finished(api, token, started["import"]["id"])
    assert (done["totalRows"], done["createdCount"], done["failedCount"]) == (3, 2, 1)
    created = await rows_of(api, token, started["import"]["id"])
    one = (await api.gql(ORGANIZATION, {"id": created[0]["customer"]["id"]}, token=token)).data
    assert one["organization"]["erpId"] == "4711"
    assert one["organization"]["registrationNumber"] == "17048595"
    assert created[2]["errors"][0]["column"] == "Email address"


async def test_the_same_file_twice_creates_nothing_twice(importing: Api) -> None:
    api = importing
    token = api.token(api.world.reseller, "ADMIN")
    content = csv_file([cells(numbered(n)) for n in range(5)])
    first = await upload(api, token, content)
    assert (await finished(api, token, first["import"]["id"]))["createdCount"] == 5
    second = await upload(api, token, content)
    done = await finished(api, token, second["import"]["id"])
    assert (done["createdCount"], done["failedCount"]) == (0, 5)
    rows = await rows_of(api, token, second["import"]["id"], only_failed=True)
    assert {r["status"] for r in rows} == {"DUPLICATE"}
    assert {e["code"] for r in rows for e in r["errors"]} == {"DUPLICATE"}
    assert await _count_customers(api, token) == 5


def _spaced(number: str) -> str:
    """Another spelling of a number: lower case, spaces inside (the same canonical value)."""
    return f"{number[:2].lower()} {number[2:6]} {number[6:]}"


def _same_customers_twice() -> list[list[str]]:
    """Rows 2-8: rows 4, 5 and 7 are rows 2 and 3 again under another number's spelling."""
    erp, email = LABELS.index("ERP ID"), LABELS.index("Email address")
    rows = [
        cells(numbered(0)),  # 2
        cells(numbered(1)),  # 3
        cells({**numbered(10), "taxId": _spaced(numbered(0)["taxId"])}),  # 4: row 2's tax ID
        cells({**numbered(11), "erpId": "ERP-001"}),  # 5: row 3's ERP ID
        cells({**numbered(12), "erpId": "ERP-050"}),  # 6: broken, so it creates nothing...
        cells({**numbered(13), "registrationNumber": "0000 0000"}),  # 7: row 2's number
        cells(numbered(50)),  # 8: ...and row 6's ERP ID is free for this one
    ]
    rows[4][email] = "not-an-email"
    assert rows[4][erp] == rows[6][erp]
    return rows


async def test_rows_of_one_file_that_are_one_customer_dry_run_as_real(importing: Api) -> None:
    api = importing
    token = api.token(api.world.reseller, "ADMIN")
    content = csv_file(_same_customers_twice())
    outcomes = {}
    for dry_run in (True, False):
        started = await upload(api, token, content, dry_run=dry_run)
        done = await finished(api, token, started["import"]["id"])
        rows = await rows_of(api, token, started["import"]["id"])
        outcomes[dry_run] = (done, [(r["rowNumber"], r["status"], r["errors"]) for r in rows])
    (dry, dry_rows), (real, real_rows) = outcomes[True], outcomes[False]
    assert (dry["createdCount"], dry["failedCount"]) == (0, 4), dry
    assert (real["createdCount"], real["failedCount"]) == (3, 4), real
    assert [(n, status) for n, status, _ in dry_rows] == [
        (2, "VALID"),
        (3, "VALID"),
        (4, "DUPLICATE"),
        (5, "DUPLICATE"),
        (6, "FAILED"),
        (7, "DUPLICATE"),
        (8, "VALID"),
    ]
    duplicates = {n: errors for n, status, errors in dry_rows if status == "DUPLICATE"}
    said_where = {n: [(e["column"], e["field"], e["code"]) for e in errors]
                  for n, errors in duplicates.items()}  # fmt: skip
    assert said_where == {
        4: [("Tax ID", ["taxId"], "DUPLICATE")],
        5: [("ERP ID", ["erpId"], "DUPLICATE")],
        7: [("Registration number", ["registrationNumber"], "DUPLICATE")],
    }
    # Each names the earlier row it repeats.
    assert [errors[0]["message"].split(" of this file")[0] for errors in duplicates.values()] == [
        "Row 2",
        "Row 3",
        "Row 2",
    ]
    # The real run ends exactly as its dry run said: the same rows, the same errors.
    said = {"VALID": "CREATED"}
    assert real_rows == [(n, said.get(status, status), errors) for n, status, errors in dry_rows]
    assert await _count_customers(api, token) == 3


async def test_an_exported_file_imports_back_with_formula_escapes_undone(importing: Api) -> None:
    api = importing
    token = api.token(api.world.reseller, "ADMIN")
    names = ["=HYPERLINK(1)", "+SUM(1,2)", "-2+3", "@cmd"]
    rows = [cells({**numbered(n), "shortName": name}) for n, name in enumerate(names)]
    first = await upload(api, token, csv_file(rows))
    assert (await finished(api, token, first["import"]["id"]))["createdCount"] == 4
    exported = await api.client.get(
        "/exports/organizations.csv",
        params={"filter": json.dumps({"kind": {"eq": "CUSTOMER"}})},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert exported.content.count(b"'=HYPERLINK") == 1, "escaped for spreadsheets"
    # The other reseller imports that file as it is: the names come back unescaped.
    other = api.token(api.world.other_reseller, "ADMIN")
    started = await upload(api, other, exported.content)
    done = await finished(api, other, started["import"]["id"])
    assert (done["createdCount"], done["failedCount"]) == (4, 0), done
    query = """{ organizations(filter: {kind: {eq: CUSTOMER}}) {
      nodes { shortName primaryContact { phone } } } }"""
    listed = (await api.gql(query, token=other)).data["organizations"]["nodes"]
    assert sorted(n["shortName"] for n in listed) == sorted(names)
    # E.164's "+" was escaped on the way out too.
    assert {n["primaryContact"]["phone"] for n in listed} == {"+31402506000"}


def _bomb() -> bytes:
    """A workbook-shaped ZIP whose sheet unpacks to 300 MiB of zeros (about 300 KiB packed),
    written in chunks so the test itself never holds the unpacked size."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = bytes(1024 * 1024)
            for _ in range(300):
                sheet.write(chunk)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "code", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(200), "INVALID_FORMAT", "not a CSV or XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "INVALID_FORMAT", ".xls"),
        (b"Name;Town\nA;B\n", "INVALID_FORMAT", "header"),
        ("Short name,City\n\xe9\n".encode("latin-1"), "INVALID_FORMAT", "UTF-8"),
        (b"", "REQUIRED", "empty"),
        (",".join(LABELS).encode(), "REQUIRED", "no customers"),
        (b"PK\x03\x04 not really a zip", "INVALID_FORMAT", "xlsx"),
        (_bomb, "TOO_LARGE", "unpacks"),
    ],
)
async def test_files_that_are_not_customer_lists_are_refused_at_upload(
    importing: Api, content: bytes | Callable[[], bytes], code: str, words: str
) -> None:
    api = importing
    token = api.token(api.world.reseller, "ADMIN")
    refused = await upload(api, token, content() if callable(content) else content)
    assert refused["import"] is None
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [(["file"], code)]
    assert words.lower() in refused["errors"][0]["message"].lower()


async def test_limits_refuse_early_and_write_nothing(api_factory: Any) -> None:
    async with api_factory(
        job_poll_seconds=0.05, jobs_in_server=True, import_max_rows=5, import_max_bytes=12000
    ) as api:
        token = api.token(api.world.reseller, "ADMIN")
        six = csv_file([cells(numbered(n)) for n in range(6)])
        assert len(six) < 12000
        refused = await upload(api, token, six)
        assert [(e["field"], e["code"]) for e in refused["errors"]] == [(["file"], "TOO_MANY_ROWS")]
        assert "PORTAL_IMPORT_MAX_ROWS" in refused["errors"][0]["message"]
        big = csv_file([cells(numbered(n)) for n in range(5)] + [[""] * 18] * 1000)
        assert len(big) > 12000
        refused = await upload(api, token, big)
        assert [(e["field"], e["code"]) for e in refused["errors"]] == [(["file"], "TOO_LARGE")]
        # Far past the limit the body itself is refused before the app reads it.
        response = await api.client.post(
            "/graphql",
            headers={"Authorization": f"Bearer {token}"},
            data={"operations": "{}", "map": "{}"},
            files={"0": ("x.csv", b"x" * 200_000, "text/csv")},
        )
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["limit"] == "importMaxBytes"
        # An XLSX's rows are counted by the worker: the import FAILS, with the reason.
        xlsx = await upload(api, token, xlsx_file([cells(numbered(n)) for n in range(6)]))
        assert xlsx["errors"] == []
        done = await finished(api, token, xlsx["import"]["id"])
        assert done["status"] == "FAILED" and "PORTAL_IMPORT_MAX_ROWS" in done["error"]
        assert done["processedRows"] == 0 and done["totalRows"] is None
        assert await _count_customers(api, token) == 0


async def test_uploads_need_a_token_and_the_create_permission(importing: Api) -> None:
    api = importing
    content = csv_file([cells(numbered(0))])
    response = await api.client.post(
        "/graphql",
        data={"operations": json.dumps({"query": "{ __typename }"}), "map": "{}"},
        files={"0": ("x.csv", content, "text/csv")},
    )
    assert response.status_code == 401
    viewer = api.token(api.world.reseller, "VIEWER")
    refused = await upload(api, viewer, content)
    assert [e["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    distributor = api.token(api.world.distributor, "ADMIN")
    refused = await upload(api, distributor, content)
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [(["resellerId"], "REQUIRED")]
    started = await upload(api, distributor, content, reseller_id=api.world.other_reseller)
    done = await finished(api, distributor, started["import"]["id"])
    assert done["createdCount"] == 1


async def test_imports_are_tenant_scoped(importing: Api) -> None:
    api = importing
    token = api.token(api.world.reseller, "ADMIN")
    started = await upload(api, token, csv_file([cells(numbered(0))]))
    import_id = started["import"]["id"]
    await finished(api, token, import_id)
    other = api.token(api.world.other_reseller, "ADMIN")
    seen = await api.gql(IMPORT_STATUS, {"id": import_id}, token=other)
    assert seen.data["customerImport"] is None
    node = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": import_id}, token=other)
    assert node.data["node"] is None
    distributor = api.token(api.world.distributor, "VIEWER")
    above = await api.gql(IMPORT_STATUS, {"id": import_id}, token=distributor)
    assert above.data["customerImport"]["id"] == import_id
    mine = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": import_id}, token=token)
    assert mine.data["node"]["id"] == import_id


async def test_rows_page_by_cursor(importing: Api) -> None:
    api = importing
    token = api.token(api.world.reseller, "ADMIN")
    started = await upload(
        api, token, csv_file([cells(numbered(n)) for n in range(7)]), dry_run=True
    )
    import_id = started["import"]["id"]
    await finished(api, token, import_id)
    query = """query($id: ID!, $after: String) { customerImport(id: $id) {
      rows(first: 3, after: $after) { totalCount nodes { rowNumber }
        pageInfo { hasNextPage endCursor } } } }"""
    seen, after = [], None
    while True:
        page = (await api.gql(query, {"id": import_id, "after": after}, token=token)).data
        rows = page["customerImport"]["rows"]
        assert rows["totalCount"] == 7
        seen += [n["rowNumber"] for n in rows["nodes"]]
        if not rows["pageInfo"]["hasNextPage"]:
            break
        after = rows["pageInfo"]["endCursor"]
    assert seen == list(range(2, 9))
