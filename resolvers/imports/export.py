"""Organizations as spreadsheet rows: the template's header, and the export, streamed.

The file is what spreadsheets open directly: UTF-8 with a byte-order mark (Excel reads
BOM-less CSV as the local code page), `,` separators, CRLF line ends, quotes where needed.
A cell that starts like a formula (`=`, `+`, `-`, `@`, tab, CR) gets a leading `'`, so a
spreadsheet shows it as text instead of running it (CSV injection); the import removes that
quote again, so an exported file re-imports unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC

from resolvers import global_id
from resolvers.actors import Actor
from resolvers.imports.columns import EXAMPLE, FORMULA_START, LABELS
from resolvers.listing import Filter
from resolvers.organizations import Listing, scan_organizations

BOM = "\ufeff"
EXPORT_LABELS: tuple[str, ...] = (*LABELS, "ID", "Kind", "Status", "Created at")


def escape(value: str) -> str:
    return "'" + value if value and value[0] in FORMULA_START else value


def csv_lines(rows: Iterable[Sequence[str | None]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([escape(cell or "") for cell in row] for row in rows)
    return buffer.getvalue()


def template() -> str:
    return BOM + csv_lines([LABELS, EXAMPLE])


def _rows(listing: Listing) -> Iterable[list[str | None]]:
    addresses, contacts = listing.addresses or {}, listing.contacts or {}
    for org in listing.organizations:
        a, c = addresses.get(org.id), contacts.get(org.id)
        yield [
            org.short_name,
            org.full_name,
            org.erp_id,
            org.registration_number,
            org.tax_id,
            org.currency,
            org.industry.value if org.industry else None,
            *((a.country, a.city, a.state, a.line1, a.line2, a.postal_code) if a else [None] * 6),
            *((c.first_name, c.last_name, c.role, c.email, c.phone) if c else [None] * 5),
            global_id.encode("Organization", org.id),
            org.kind.value,
            org.status.value,
            org.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        ]


async def export_csv(*, actor: Actor, filter: Filter | None) -> AsyncIterator[str]:
    """The export as text chunks, one per batch of organizations (the first holds the BOM and
    the header), for a streaming response."""
    yield BOM + csv_lines([EXPORT_LABELS])
    async for listing in scan_organizations(actor=actor, filter=filter):
        yield csv_lines(_rows(listing))
