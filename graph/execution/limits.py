"""Limits on one GraphQL document: depth, aliases, directives and tokens.

Each refusal is a top-level error that names the limit, its setting and its value, e.g.
`Query depth 12 exceeds the limit of 10 (PORTAL_MAX_QUERY_DEPTH).` with
`extensions: {code: LIMIT_EXCEEDED, limit: "maxQueryDepth", max: 10}`. The limits come from
the request's settings, so tests and deployments change them without rebuilding the schema.
Body size and time limits live in the HTTP layer (server/middleware.py, server/http.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    visit,
)
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from settings import Settings

_TOKENS = re.compile(r"Document contains more than (\d+) tokens")


class LimitExceeded(GraphQLError):
    def __init__(self, message: str, *, limit: str, max: int | float) -> None:
        super().__init__(message, extensions={"code": "LIMIT_EXCEEDED", "limit": limit, "max": max})


def _depth(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> int:
    """Nesting depth of a selection set; fragments count where they are spread.
    Introspection (`__schema`, `__type`) is left out: its shape is fixed by the schema."""
    if selections is None:
        return 0
    deepest = 0
    for node in selections.selections:
        if isinstance(node, FieldNode):
            if node.name.value in {"__schema", "__type"}:
                continue
            deepest = max(deepest, 1 + _depth(node.selection_set, fragments, seen))
        elif isinstance(node, InlineFragmentNode):
            deepest = max(deepest, _depth(node.selection_set, fragments, seen))
        elif isinstance(node, FragmentSpreadNode):
            name = node.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:  # cycles are another rule's error
                deepest = max(deepest, _depth(fragment.selection_set, fragments, seen | {name}))
    return deepest


class _Counter(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.aliases = 0
        self.directives = 0

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.alias is not None:
            self.aliases += 1

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.directives += 1


def check_document(document: DocumentNode, settings: Settings) -> list[GraphQLError]:
    """Every limit the document breaks (an empty list when it is within all of them)."""
    errors: list[GraphQLError] = []
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            depth = _depth(definition.selection_set, fragments)
            if depth > settings.max_query_depth:
                errors.append(
                    LimitExceeded(
                        f"Query depth {depth} exceeds the limit of {settings.max_query_depth} "
                        "(PORTAL_MAX_QUERY_DEPTH).",
                        limit="maxQueryDepth",
                        max=settings.max_query_depth,
                    )
                )
    counter = _Counter()
    visit(document, counter)
    counted = (
        ("aliases", counter.aliases, settings.max_aliases, "maxAliases", "PORTAL_MAX_ALIASES"),
        (
            "directives",
            counter.directives,
            settings.max_directives,
            "maxDirectives",
            "PORTAL_MAX_DIRECTIVES",
        ),
    )
    for what, count, most, limit, variable in counted:
        if count > most:
            message = f"The document uses {count} {what}; the limit is {most} ({variable})."
            errors.append(LimitExceeded(message, limit=limit, max=most))
    return errors


@cache
def limits_rule(settings: Settings) -> type[ASTValidationRule]:
    """One validation rule class per settings value, so the validation cache keeps working."""

    class DocumentLimits(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for error in check_document(context.document, settings):
                context.report_error(error)

    return DocumentLimits


def _settings(context: object) -> Settings:
    found = getattr(context, "settings", None)
    return found if isinstance(found, Settings) else Settings()


def token_error(error: GraphQLError, settings: Settings) -> GraphQLError:
    """The parser's "Document contains more than N tokens" as a limit error. Called by the
    HTTP view: with ParserCache a parse error skips the extensions' on_operation exits."""
    if error.original_error is not None or not _TOKENS.search(error.message):
        return error
    return LimitExceeded(
        f"The document has more than {settings.max_tokens} tokens, the limit (PORTAL_MAX_TOKENS).",
        limit="maxTokens",
        max=settings.max_tokens,
    )


class DocumentLimiter(SchemaExtension):
    """Applies the limits of the request's settings. List it before ValidationCache."""

    def on_operation(self) -> Iterator[None]:
        settings = _settings(self.execution_context.context)
        # The parser stops at the limit, so a huge document costs no more than a small one.
        self.execution_context.parse_options["max_tokens"] = settings.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        rule = limits_rule(_settings(self.execution_context.context))
        self.execution_context.validation_rules = (*self.execution_context.validation_rules, rule)
        yield
