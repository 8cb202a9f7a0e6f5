"""CustomerImport, its rows and their errors, built from the resolvers' plain records."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry

from graph.core.arguments import arg
from graph.core.context import Info
from graph.core.enums import ImportRowStatus, ImportStatus
from graph.core.node import Node, node_loader
from graph.core.paging import Connection, Edge, position
from graph.organizations.types import Organization, load_organization
from resolvers import global_id
from resolvers.errors import ErrorCode
from resolvers.imports import customer_imports
from resolvers.imports.customer_imports import ImportRecord, RowRecord


@strawberry.type(description="One problem of one row.")
class ImportError:
    column: str | None = strawberry.field(
        description="The column's header as the file wrote it; null: not one column's problem."
    )
    field: list[str] | None = strawberry.field(
        description='The path inside CreateCustomerInput, e.g. ["primaryContact", "email"].'
    )
    code: ErrorCode = strawberry.field(description="Stable machine-readable reason.")
    message: str = strawberry.field(description="Human-readable explanation, in English.")


@strawberry.type(description="One spreadsheet row of an import and what became of it.")
class ImportRow:
    row_number: int = strawberry.field(description="The spreadsheet's line (the header is 1).")
    status: ImportRowStatus = strawberry.field(description="What became of the row.")
    errors: list[ImportError] = strawberry.field(description="Every problem; empty when fine.")
    customer_id: strawberry.Private[UUID | None]

    @strawberry.field(description="The customer the row created; null otherwise.")
    async def customer(self, info: Info) -> Organization | None:
        if self.customer_id is None:
            return None
        return await load_organization(info, self.customer_id)

    @classmethod
    def of(cls, r: RowRecord) -> ImportRow:
        return cls(
            row_number=r.row_number,
            status=r.status,
            errors=[
                ImportError(
                    column=e.column,
                    field=list(e.field) if e.field else None,
                    code=e.code,
                    message=e.message,
                )
                for e in r.errors
            ],
            customer_id=r.customer_id,
        )


@strawberry.type(description="A row in a list, with its cursor.")
class ImportRowEdge(Edge[ImportRow]):
    node: ImportRow = strawberry.field(description="The row.")


@strawberry.type(description="A page of handled rows, by row number.")
class ImportRowConnection(Connection[ImportRowEdge, ImportRow]):
    import_id: strawberry.Private[UUID]
    only_failed: strawberry.Private[bool]

    @strawberry.field(description="Every row this list holds, over all pages.")
    async def total_count(self) -> int:
        return await customer_imports.count_rows(
            import_id=self.import_id, only_failed=self.only_failed
        )


@strawberry.type(description="A file of customers being (or having been) imported.")
class CustomerImport(Node):
    status: ImportStatus = strawberry.field(description="Where the import stands.")
    dry_run: bool = strawberry.field(description="True: rows are only checked, never written.")
    file_name: str | None = strawberry.field(description="The uploaded file's name.")
    error: str | None = strawberry.field(description="Why a FAILED import could not be read.")
    total_rows: int | None = strawberry.field(
        description="Customer rows in the file; null until the file has been read."
    )
    processed_rows: int = strawberry.field(description="Rows handled so far.")
    created_count: int = strawberry.field(description="Customers created (0 for a dry run).")
    failed_count: int = strawberry.field(description="Rows FAILED or DUPLICATE.")
    created_at: datetime = strawberry.field(description="When the file was uploaded.")
    finished_at: datetime | None = strawberry.field(description="When it completed or failed.")
    record_id: strawberry.Private[UUID]

    @strawberry.field(description="Handled rows by row number; `onlyFailed` for the problems.")
    async def rows(
        self,
        info: Info,
        only_failed: Annotated[bool, arg("Only FAILED and DUPLICATE rows.")] = False,
        first: Annotated[int | None, arg("Page size (max 100).")] = None,
        after: Annotated[str | None, arg("Cursor to continue after.")] = None,
    ) -> ImportRowConnection:
        limit = min(info.context.settings.max_page_size, 100 if first is None else max(0, first))
        after_row = position(after) if after else 0
        found = await customer_imports.list_rows(
            import_id=self.record_id,
            only_failed=only_failed,
            after_row=after_row,
            limit=limit + 1,
        )
        nodes = [ImportRow.of(r) for r in found[:limit]]
        # Rows page by row number (a key), so each cursor is its row's number.
        return ImportRowConnection.at(
            [n.row_number for n in nodes],
            nodes,
            has_next=len(found) > limit,
            has_previous=after_row > 0,
            import_id=self.record_id,
            only_failed=only_failed,
        )

    @classmethod
    def of(cls, r: ImportRecord) -> CustomerImport:
        return cls(
            id=strawberry.ID(global_id.encode("CustomerImport", r.id)),
            status=r.status,
            dry_run=r.dry_run,
            file_name=r.file_name,
            error=r.error,
            total_rows=r.total_rows,
            processed_rows=r.processed_rows,
            created_count=r.created_count,
            failed_count=r.failed_count,
            created_at=r.created_at,
            finished_at=r.finished_at,
            record_id=r.id,
        )


@node_loader(CustomerImport)
async def load_customer_import(info: Info, id: UUID) -> CustomerImport | None:
    actor = info.context.require_actor()
    found = await customer_imports.get_import(actor=actor, id=id)
    return CustomerImport.of(found) if found else None
