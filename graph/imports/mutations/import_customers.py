"""importCustomers: upload a CSV or XLSX file of customers; it runs in the background."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from graph.core.context import Info
from graph.core.errors import UserError, errors_field, user_errors
from graph.imports.types import CustomerImport
from resolvers.errors import DomainError
from resolvers.imports import customer_imports


@strawberry.input(description="A file of customers, one per row, under the form's labels.")
class ImportCustomersInput:
    file: Upload = strawberry.field(
        description="CSV (UTF-8, `,` or `;`) or XLSX, sent as a GraphQL multipart request."
    )
    dry_run: bool = strawberry.field(
        default=False, description="Only check every row; write nothing."
    )
    reseller_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Reseller to create under; distributor users only (resellers use their own).",
    )


@strawberry.type(description="Result of importCustomers.")
class ImportCustomersPayload:
    import_: CustomerImport | None = strawberry.field(
        name="import",
        default=None,
        description="The import, QUEUED; follow it with `customerImport(id:)`. Null when errors.",
    )
    errors: list[UserError] = errors_field()


async def _read(upload: object, limit: int) -> tuple[str | None, bytes]:
    """The upload's name and at most `limit + 1` bytes (one more tells "too large")."""
    name = getattr(upload, "filename", None)
    read = getattr(upload, "read", None)
    if read is None:
        return name, b""
    content = await read(limit + 1)
    return name, content if isinstance(content, bytes) else b""


@strawberry.type
class ImportCustomersMutation:
    @strawberry.mutation(
        description="Import customers from a CSV or XLSX file; answers at once with the import."
    )
    async def import_customers(
        self,
        info: Info,
        input: Annotated[ImportCustomersInput, strawberry.argument(description="The file.")],
    ) -> ImportCustomersPayload:
        ctx = info.context
        actor = ctx.require_actor(permission=None)
        settings = ctx.settings
        name, content = await _read(input.file, settings.import_max_bytes)
        try:
            started = await customer_imports.start_import(
                actor=actor,
                file_name=name,
                content=content,
                dry_run=input.dry_run,
                reseller_id=input.reseller_id,
                limits=customer_imports.limits(settings),
                request_id=ctx.request_id,
            )
        except DomainError as error:
            return ImportCustomersPayload(errors=user_errors(error))
        return ImportCustomersPayload(import_=CustomerImport.of(started))
