"""The spreadsheet's columns: the form's labels, the input fields they fill, and a row as a form.

One table serves the template, the export and the import, so a file exported (or a template
filled in) reads back without any mapping. A header cell may hold the label the portal's form
shows (`Tax ID`) or the input field's name (`taxId`), in any case; columns we do not know
(an export's `ID`, `Status`, ...) are ignored on import.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from models import Industry
from resolvers.errors import ErrorCode, FieldError
from resolvers.validation import AddressDraft, ContactDraft, CustomerDraft

Path = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Column:
    label: str  # as the form shows it, and as the template writes it
    path: Path  # inside CreateCustomerInput
    required: bool = True  # a file without this column cannot hold a valid customer

    @property
    def name(self) -> str:
        return self.path[-1]


def _address(name: str) -> Path:
    return ("primaryAddress", name)


def _contact(name: str) -> Path:
    return ("primaryContact", name)


COLUMNS: tuple[Column, ...] = (
    Column("Short name", ("shortName",)),
    Column("Full name", ("fullName",)),
    Column("ERP ID", ("erpId",)),
    Column("Registration number", ("registrationNumber",)),
    Column("Tax ID", ("taxId",)),
    Column("Currency", ("currency",)),
    Column("Industry", ("industry",)),
    Column("Country", _address("country")),
    Column("City", _address("city")),
    Column("State/Province", _address("state"), required=False),
    Column("Address", _address("line1")),
    Column("Secondary address", _address("line2"), required=False),
    Column("Zip/Postal code", _address("postalCode"), required=False),
    Column("First name", _contact("firstName")),
    Column("Last name", _contact("lastName")),
    Column("Role", _contact("role")),
    Column("Email address", _contact("email")),
    Column("Phone number", _contact("phone")),
)
LABELS: tuple[str, ...] = tuple(c.label for c in COLUMNS)

# The template's example row: the brief's example customer, in the form's own spelling.
EXAMPLE: tuple[str, ...] = (
    "Copaco",
    "Copaco Netherlands B.V.",
    "123",
    "17048595",
    "NL006486253B01",
    "EUR",
    "NON_PROFIT",
    "NL",
    "Eindhoven",
    "",
    "Hoevenweg 21",
    "",
    "5652 AW",
    "Jan",
    "Jansen",
    "CEO",
    "jan@copaco.nl",
    # National form: a leading "+" would make spreadsheets read the cell as a formula.
    "040 250 6000",
)

_BY_KEY = {key: c for c in COLUMNS for key in (c.label.casefold(), c.name.casefold())}


def column_for(header: str) -> Column | None:
    return _BY_KEY.get(header.strip().casefold())


@dataclass(frozen=True, slots=True)
class Header:
    """Which position of a row fills which column, and the header cell as the file wrote it."""

    positions: dict[Path, int]
    written: dict[Path, str]

    def label(self, path: Path | None) -> str | None:
        """The file's own header for an error's field path (None: not one column's error)."""
        return self.written.get(path) if path else None


class HeaderProblem(ValueError):
    """The header row cannot describe customers; the message says what to fix."""


def read_header(cells: Sequence[str]) -> Header:
    positions: dict[Path, int] = {}
    written: dict[Path, str] = {}
    for index, cell in enumerate(cells):
        column = column_for(cell)
        if column is None:
            continue
        if column.path in positions:
            raise HeaderProblem(f"The header row names the column {column.label!r} twice.")
        positions[column.path] = index
        written[column.path] = cell.strip()
    if not positions:
        raise HeaderProblem(
            "The first row must be the header with the form's labels ("
            + ", ".join(LABELS)
            + ") or the input field names; download /imports/template.csv to start from."
        )
    missing = [c.label for c in COLUMNS if c.required and c.path not in positions]
    if missing:
        raise HeaderProblem("The header row lacks the column(s): " + ", ".join(missing) + ".")
    return Header(positions, written)


def _unescape(value: str) -> str:
    """Undo the export's formula escape: `'=x` was `=x` before it was written out."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


FORMULA_START = frozenset("=+-@\t\r")


def _industry(raw: str | None) -> tuple[str | None, list[FieldError]]:
    """The GraphQL layer checks enum values for createCustomer; a cell is free text, so the
    same choice is checked here: the enum's name, any case, spaces or hyphens for `_`."""
    if raw is None or not raw.strip():
        return None, []  # validate_customer reports REQUIRED
    key = raw.strip().upper().replace("-", "_").replace(" ", "_")
    if key in Industry.__members__:
        return key, []
    choices = ", ".join(Industry.__members__)
    message = f"Industry must be one of {choices}."
    return None, [FieldError(("industry",), ErrorCode.INVALID_FORMAT, message)]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def to_draft(header: Header, row: Sequence[str]) -> tuple[CustomerDraft, list[FieldError]]:
    """The form a row fills in, and the problems no form rule would see (an unknown industry).

    Blank optional cells are absent fields, as an empty form field is; blank required ones
    are sent as "", so validation answers REQUIRED for them."""
    parts: dict[str, dict[str, str | None]] = {"": {}, "primaryAddress": {}, "primaryContact": {}}
    for column in COLUMNS:
        index = header.positions.get(column.path)
        value = _unescape(row[index]) if index is not None and index < len(row) else ""
        blank = "" if column.required else None
        parts[column.path[0] if len(column.path) > 1 else ""][_snake(column.name)] = (
            value if value.strip() else blank
        )
    form = parts[""]
    industry, errors = _industry(form.pop("industry"))
    draft = CustomerDraft(
        **form,
        industry=industry,
        primary_address=AddressDraft(**parts["primaryAddress"]),
        primary_contact=ContactDraft(**parts["primaryContact"]),
    )
    return draft, errors
