"""Which operation of a document runs.

graphql-core refuses a document of several operations sent without `operationName`, as the
spec asks, but Strawberry fills the name in with the first operation's before graphql-core
sees it, so the first one ran: a client that forgot the name got an answer to a question it
may not have meant. This extension restores the spec's error.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import DocumentNode, GraphQLError, OperationDefinitionNode
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension


def operation_of(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    """The operation `name` picks (a lone operation when None), or None when none does."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


class OperationChoice(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        # Strawberry keeps the name the client sent apart from the one it derives.
        named = getattr(context, "_provided_operation_name", None) is not None
        if document is not None and context.result is None and not named:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                error = GraphQLError(
                    "The document holds several operations: name the one to run in `operationName`."
                )
                context.result = GraphQLExecutionResult(data=None, errors=[error])
        yield
