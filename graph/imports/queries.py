"""Import reads: one import by ID (tenant-scoped like every other object)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.imports.types import CustomerImport, load_customer_import
from resolvers import global_id


@strawberry.type
class ImportQueries:
    @strawberry.field(
        description="An import: status, progress and per-row results; null when missing or "
        "made by an organization you may not see."
    )
    async def customer_import(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The import's global ID.")],
    ) -> CustomerImport | None:
        info.context.require_actor()
        uuid = global_id.decode_uuid(id, "CustomerImport")
        return await load_customer_import(info, uuid) if uuid else None
