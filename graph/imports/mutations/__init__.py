"""The import mutations, one module per mutation; each adds its class here."""

from __future__ import annotations

import strawberry

from graph.imports.mutations.import_customers import ImportCustomersMutation


@strawberry.type
class ImportMutations(ImportCustomersMutation):
    pass
