"""Reading an uploaded file into rows of text cells, bounded in size, rows, time and memory.

CSV: UTF-8 with or without a byte-order mark, `,` or `;` (whichever the header row uses),
quoted fields with separators and line breaks inside. It is parsed in a thread (the csv module
hands the GIL back between rows), so the event loop keeps serving.

XLSX: read with openpyxl, in a child process (`resolvers.imports.xlsx_reader`) that has a
memory ceiling and a deadline and is killed when it overruns; the event loop only waits for
its answer. Before any of that the archive's directory is checked here: a ZIP declares each
member's unpacked size, zipfile (which openpyxl reads through) never unpacks past it, so a
zip bomb is refused by arithmetic before a byte is inflated.

Rows are numbered as the spreadsheet numbers its lines (the header is 1; a quoted line break
does not start a new row); blank rows are skipped but keep their numbers.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sys
import zipfile
from dataclasses import dataclass
from enum import StrEnum

from resolvers.errors import ErrorCode
from resolvers.imports.columns import HeaderProblem, read_header

# A cell longer than this is cut here; every form field allows far less, so the row still
# fails with TOO_LONG, and a row costs bounded memory whatever the file holds.
MAX_CELL_CHARS = 1000
MAX_COLUMNS = 64
# An XLSX unpacks to at most this many times the upload limit (real workbooks: 5-10x).
MAX_UNPACK_RATIO = 20
MAX_ARCHIVE_MEMBERS = 1000
XLSX_SECONDS = 60.0
XLSX_MEMORY_BYTES = 1024 * 1024 * 1024


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class FileProblem(ValueError):
    """The file as a whole cannot be imported; `message` tells the uploader what to do."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells)


def _unreadable(message: str) -> FileProblem:
    return FileProblem(ErrorCode.INVALID_FORMAT, message)


def sniff(content: bytes) -> FileFormat:
    """CSV or XLSX by the bytes themselves (a file name or a MIME type is only a claim)."""
    if content.startswith(b"PK\x03\x04"):
        return FileFormat.XLSX
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _unreadable("Old Excel files (.xls) are not supported: save as .xlsx or CSV.")
    if b"\x00" in content[:8192]:
        raise _unreadable("This is not a CSV or XLSX file.")
    return FileFormat.CSV


def _table(records: list[tuple[int, list[str]]], max_rows: int) -> Table:
    """The header (the first non-blank row) and the data rows after it, within max_rows."""
    filled = [(n, cells) for n, cells in records if any(c.strip() for c in cells)]
    if not filled:
        raise FileProblem(ErrorCode.REQUIRED, "The file is empty.")
    (_, header), *rows = filled
    try:
        read_header(header)
    except HeaderProblem as problem:
        raise _unreadable(str(problem)) from problem
    if not rows:
        raise FileProblem(ErrorCode.REQUIRED, "The file has a header row but no customers.")
    if len(rows) > max_rows:
        raise too_many_rows(max_rows)
    return Table(header, rows)


def too_many_rows(max_rows: int) -> FileProblem:
    return FileProblem(
        ErrorCode.TOO_MANY_ROWS,
        f"The file has more than {max_rows} customer rows (PORTAL_IMPORT_MAX_ROWS); split it.",
    )


def _cell(value: str) -> str:
    return value[:MAX_CELL_CHARS]


def read_csv(content: bytes, max_rows: int) -> Table:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _unreadable(
            "The file is not UTF-8 text: save it as CSV UTF-8 (or as .xlsx)."
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    number = filled = 0
    try:
        for number, row in enumerate(reader, start=1):  # noqa: B007 (used after the loop)
            cells = [_cell(c) for c in row[:MAX_COLUMNS]]
            records.append((number, cells))
            if any(c.strip() for c in cells):
                filled += 1
                # Stop early: the header and one row too many are proof enough.
                if filled > max_rows + 1:
                    raise too_many_rows(max_rows)
    except csv.Error as error:
        raise _unreadable(f"Row {number + 1} is not valid CSV ({error}).") from None
    return _table(records, max_rows)


def check_archive(content: bytes, max_bytes: int) -> None:
    """Refuse what is not a workbook, or would unpack to too much, from the ZIP directory."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise _unreadable("The file is neither CSV nor a readable .xlsx workbook.") from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise _unreadable("This archive is not an Excel workbook (.xlsx).")
    unpacked = sum(m.file_size for m in members)
    if len(members) > MAX_ARCHIVE_MEMBERS or unpacked > MAX_UNPACK_RATIO * max_bytes:
        raise FileProblem(
            ErrorCode.TOO_LARGE,
            "The workbook unpacks to more than the import limit allows; save it as CSV.",
        )


async def read_xlsx(content: bytes, max_rows: int, max_bytes: int) -> Table:
    check_archive(content, max_bytes)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "resolvers.imports.xlsx_reader",
        str(max_rows),
        str(MAX_COLUMNS),
        str(MAX_CELL_CHARS),
        str(XLSX_MEMORY_BYTES),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with asyncio.timeout(XLSX_SECONDS):
            out, _ = await process.communicate(content)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise _unreadable("Reading the workbook took too long; save it as CSV.") from None
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    try:
        answer = json.loads(out)
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise _unreadable("The workbook could not be read; save it again as .xlsx or CSV.")
    if answer.get("too_many_rows"):
        raise too_many_rows(max_rows)
    if "rows" not in answer:
        raise _unreadable("The workbook could not be read; save it again as .xlsx or CSV.")
    return _table([(int(n), [str(c) for c in cells]) for n, cells in answer["rows"]], max_rows)


async def read_file(content: bytes, *, max_rows: int, max_bytes: int) -> Table:
    """The file's header and rows, or FileProblem; never blocks the event loop."""
    if sniff(content) is FileFormat.XLSX:
        return await read_xlsx(content, max_rows, max_bytes)
    return await asyncio.to_thread(read_csv, content, max_rows)
