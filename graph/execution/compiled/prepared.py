"""Reads the compiled path answered once, answered again without the pipeline around it.

The first time a document is run, Strawberry parses and validates it (both cached), the
extensions check its limits and choose its operation, and `CompiledReads` answers it. Each of
those steps gives the same verdict for the same text and operation name in the same schema,
so a second request with them needs none of it: only what depends on the request (its
actor, its variables, their filter limits) is checked again, and then the same plan runs.
That skips the extension machinery, about a fifth of the CPU a lookup by ID costs.

Entries belong to one schema (one app, one Settings: limits and introspection are part of
validation) and are bounded in number and in the length of the text they hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import DocumentNode, FieldNode, OperationDefinitionNode

MAX_ENTRIES = 1024
MAX_QUERY_CHARS = 16_384


@dataclass(frozen=True, slots=True)
class Prepared:
    document: DocumentNode
    operation: OperationDefinitionNode
    # What the access log and the metrics call the operation.
    name: str | None


class PreparedReads:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str | None], Prepared] = {}

    def get(self, query: str, operation_name: str | None) -> Prepared | None:
        return self._entries.get((query, operation_name))

    def remember(
        self,
        query: str,
        operation_name: str | None,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        name: str | None,
    ) -> None:
        if len(query) > MAX_QUERY_CHARS:
            return
        # Only `__typename` at the top: reference-data HTTP caching (server/caching.py) may
        # apply, which runs in the pipeline; such a request is cheap anyway.
        if all(
            isinstance(s, FieldNode) and s.name.value == "__typename"
            for s in operation.selection_set.selections
        ):
            return
        key = (query, operation_name)
        if key not in self._entries and len(self._entries) >= MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = Prepared(document, operation, name)
