"""The XLSX reader's child process: workbook bytes on stdin, JSON rows on stdout.

Why openpyxl (and not python-calamine, which is faster): openpyxl reads the archive through
Python's zipfile, which never inflates a member past the size the ZIP directory declares, so
the directory check in `files.check_archive` really bounds what unpacking can cost; its
read-only mode streams the sheet's XML row by row; and it parses that XML with the standard
library's expat, which refuses external entities. calamine's Rust reader offers neither
guarantee that we could check from here. Speed matters less: the import runs in the
background, and 10,000 rows read in about a second.

The process limits its own address space before reading a byte, and the parent kills it at
its deadline, so a hostile workbook costs at most one bounded child.

Run as `python -m resolvers.imports.xlsx_reader MAX_ROWS MAX_COLUMNS MAX_CELL MEMORY`.
Answers `{"rows": [[number, [cells...]], ...]}`, `{"too_many_rows": true}` or `{"error": ...}`.
"""

from __future__ import annotations

import datetime
import io
import json
import sys
from typing import Any

# Blank rows after this many in a row end the sheet: Excel often "uses" a million
# formatted but empty rows, and walking them all would only cost time.
MAX_BLANK_RUN = 1000


def _text(value: Any, max_cell: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # ERP IDs and postal codes typed as numbers
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()[:max_cell]
    return str(value)[:max_cell]


def read(content: bytes, max_rows: int, max_columns: int, max_cell: int) -> dict[str, Any]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[Any]] = []
        filled = blank_run = 0
        for number, values in enumerate(
            sheet.iter_rows(max_col=max_columns, values_only=True), start=1
        ):
            cells = [_text(v, max_cell) for v in values]
            if not any(c.strip() for c in cells):
                blank_run += 1
                if blank_run > MAX_BLANK_RUN:
                    break
                continue
            blank_run = 0
            filled += 1
            if filled > max_rows + 1:  # the header and one row too many
                return {"too_many_rows": True}
            rows.append([number, cells])
        return {"rows": rows}
    finally:
        workbook.close()


def main() -> None:
    max_rows, max_columns, max_cell, memory = (int(a) for a in sys.argv[1:5])
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ImportError, ValueError, OSError):
        pass  # no such limit here (not Linux): the parent's deadline still holds
    content = sys.stdin.buffer.read()
    try:
        answer = read(content, max_rows, max_columns, max_cell)
    except Exception as error:  # whatever the workbook does wrong, answer with its kind only
        answer = {"error": type(error).__name__}
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main()
