"""The spreadsheet's header row and a row as a form (resolvers/imports/columns.py)."""

from __future__ import annotations

import pytest

from resolvers.errors import ErrorCode
from resolvers.imports.columns import COLUMNS, EXAMPLE, LABELS, HeaderProblem, read_header, to_draft

NAMES = [c.name for c in COLUMNS]


@pytest.mark.parametrize("header", [list(LABELS), NAMES, [n.upper() for n in NAMES]])
def test_labels_or_field_names_in_any_case(header: list[str]) -> None:
    parsed = read_header(["ID", *header, "Status"])  # an export's extra columns are ignored
    draft, errors = to_draft(parsed, ["x", *EXAMPLE, "ACTIVE"])
    assert errors == []
    assert draft.short_name == "Copaco"
    assert draft.primary_address is not None and draft.primary_address.postal_code == "5652 AW"
    assert draft.primary_address.state is None  # a blank optional cell is an absent field
    assert draft.primary_contact is not None and draft.primary_contact.phone == "040 250 6000"
    assert parsed.label(("primaryAddress", "postalCode")) == header[12].strip()


def test_header_problems_say_what_to_fix() -> None:
    with pytest.raises(HeaderProblem, match="first row must be the header"):
        read_header(["name", "street"])
    with pytest.raises(HeaderProblem, match="twice"):
        read_header([*LABELS, "tax id"])
    with pytest.raises(HeaderProblem, match="lacks the column.*Tax ID, Currency"):
        read_header([label for label in LABELS if label not in {"Tax ID", "Currency"}])


def test_cells_become_the_form() -> None:
    header = read_header(list(LABELS))
    row = list(EXAMPLE)
    row[0] = "'=Copaco"  # what the export writes for a formula-like value
    row[6] = "non-profit"
    row[17] = "'+31 40 250 6000"
    draft, errors = to_draft(header, row)
    assert (draft.short_name, draft.industry, errors) == ("=Copaco", "NON_PROFIT", [])
    assert draft.primary_contact is not None and draft.primary_contact.phone == "+31 40 250 6000"

    row[6], row[1] = "Retail", "  "
    draft, errors = to_draft(header, row[:-3])  # a short row: the missing cells are blank
    assert [(e.field, e.code) for e in errors] == [(("industry",), ErrorCode.INVALID_FORMAT)]
    assert draft.full_name == "" and draft.industry is None
    assert draft.primary_contact is not None and draft.primary_contact.email == ""
