"""Limits on one GraphQL request: depth, aliases, directives, tokens, and the size of filters.

Each refusal is a top-level error that names the limit, its setting and its value, e.g.
`Query depth 12 exceeds the limit of 10 (PORTAL_MAX_QUERY_DEPTH).` with
`extensions: {code: LIMIT_EXCEEDED, limit: "maxQueryDepth", max: 10}`. The limits come from
the request's settings, so tests and deployments change them without rebuilding the schema.
Body size and time limits live in the HTTP layer (server/middleware.py, server/http.py).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping
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
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    ValidationContext,
    ValueNode,
    VariableNode,
    get_named_type,
    visit,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.language import ArgumentNode, Visitor
from graphql.validation import OverlappingFieldsCanBeMergedRule
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension

from graph.core.errors import BadUserInput
from settings import Settings

_TOKENS = re.compile(r"Document contains more than (\d+) tokens")


class LimitExceeded(GraphQLError):
    def __init__(self, message: str, *, limit: str, max: int | float) -> None:
        super().__init__(message, extensions={"code": "LIMIT_EXCEEDED", "limit": limit, "max": max})


class _Depth:
    """Nesting depth of selection sets, with each named fragment measured once.

    A fragment counts where it is spread, but its depth is the same at every spread, so it is
    remembered: walking it again per spread costs 2^n for fragments that spread the next one
    twice, n levels deep. With the memo the walk costs time linear in the document.
    Introspection (`__schema`, `__type`) is left out: its shape is fixed by the schema.
    """

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.known: dict[str, int] = {}
        self.open: set[str] = set()  # fragments being measured: a spread of one is a cycle

    def of(self, selections: SelectionSetNode | None) -> int:
        if selections is None:
            return 0
        deepest = 0
        for node in selections.selections:
            if isinstance(node, FieldNode):
                if node.name.value not in {"__schema", "__type"}:
                    deepest = max(deepest, 1 + self.of(node.selection_set))
            elif isinstance(node, InlineFragmentNode):
                deepest = max(deepest, self.of(node.selection_set))
            elif isinstance(node, FragmentSpreadNode):
                deepest = max(deepest, self._fragment(node.name.value))
        return deepest

    def _fragment(self, name: str) -> int:
        known = self.known.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None or name in self.open:  # unknown and cyclic: other rules' errors
            return 0
        self.open.add(name)
        depth = self.known[name] = self.of(fragment.selection_set)
        self.open.discard(name)
        return depth


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
    depths = _Depth(fragments)
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            depth = depths.of(definition.selection_set)
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


def _tokens(document: DocumentNode) -> int:
    token = document.loc.start_token if document.loc else None
    count = 0
    while token is not None:
        count, token = count + 1, token.next
    return count


@cache
def overlap_rule(checks_per_token: int) -> type[ASTValidationRule]:
    """graphql-core's field-merging rule with a budget in proportion to the document.

    The rule compares fields of the same response name pairwise, so `{ parent { id } }`
    repeated 450 times costs ~500,000 comparisons (2 s of blocking on one core) before
    graphql-core's fixed budget stops it; ordinary documents spend nothing at all. With
    `checks_per_token` comparisons per lexical token its cost is linear in the document.
    """

    class BoundedOverlappingFields(OverlappingFieldsCanBeMergedRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            budget = checks_per_token * _tokens(context.document)
            self.rule_context.remaining_complexity_budget = budget

    return BoundedOverlappingFields


_RULES_BY_ID: dict[int, tuple[Settings, type[ASTValidationRule]]] = {}


def limits_rule(settings: Settings) -> type[ASTValidationRule]:
    """One validation rule class per settings value, so the validation cache keeps working.

    Looked up by identity first: hashing the settings (some sixty fields) on every request
    cost ~3% of a lookup's CPU. Each entry keeps its settings alive, so an id is not reused."""
    found = _RULES_BY_ID.get(id(settings))
    if found is None or found[0] is not settings:
        if len(_RULES_BY_ID) >= 64:
            del _RULES_BY_ID[next(iter(_RULES_BY_ID))]
        found = _RULES_BY_ID[id(settings)] = (settings, _limits_rule(settings))
    return found[1]


@cache
def _limits_rule(settings: Settings) -> type[ASTValidationRule]:

    class DocumentLimits(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            for error in check_document(context.document, settings):
                context.report_error(error)

    return DocumentLimits


def _settings(context: object) -> Settings:
    found = getattr(context, "settings", None)
    return found if isinstance(found, Settings) else Settings()


def limit_error(error: GraphQLError, settings: Settings) -> GraphQLError:
    """graphql-core's own limits as limit errors: the parser's "Document contains more than N
    tokens" and the field-merging rule running out of budget. Called by the HTTP view: with
    ParserCache a parse error skips the extensions' on_operation exits."""
    if error.original_error is not None:
        return error
    if _TOKENS.search(error.message):
        return LimitExceeded(
            f"The document has more than {settings.max_tokens} tokens, the limit "
            "(PORTAL_MAX_TOKENS).",
            limit="maxTokens",
            max=settings.max_tokens,
        )
    if isinstance(error, ValidationAbortedError) and error.message == "Validation aborted.":
        per_token = settings.max_merge_checks_per_token
        return LimitExceeded(
            "The document repeats fields of one name too often to check them: more than "
            f"{per_token} field comparisons per token (PORTAL_MAX_MERGE_CHECKS_PER_TOKEN). "
            "Remove the repeats or give them aliases.",
            limit="maxMergeChecksPerToken",
            max=per_token,
        )
    return error


def _is_filter(type_: GraphQLInputType | None) -> bool:
    """A filter input: an input object that combines copies of itself with `and` and `or`."""
    named = get_named_type(type_)
    return (
        isinstance(named, GraphQLInputObjectType)
        and {"and", "or"} <= named.fields.keys()
        and all(get_named_type(named.fields[k].type) is named for k in ("and", "or"))
    )


class _FilterArguments(Visitor):
    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.found: list[ValueNode] = []

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        if _is_filter(self.type_info.get_input_type()):
            self.found.append(node.value)


# (schema, document) ids -> (schema, document, where it passes filters). Keyed by identity:
# ParserCache hands out one DocumentNode per query text; hashing one walks the whole tree.
_FILTER_ARGUMENTS: OrderedDict[
    tuple[int, int], tuple[GraphQLSchema, DocumentNode, tuple[ValueNode, ...]]
] = OrderedDict()
_FILTER_ARGUMENTS_SIZE = 256


def _filter_arguments(schema: GraphQLSchema, document: DocumentNode) -> tuple[ValueNode, ...]:
    """Where the document passes a filter (a literal or a variable), found once per document."""
    key = (id(schema), id(document))
    known = _FILTER_ARGUMENTS.get(key)
    if known is not None and known[0] is schema and known[1] is document:
        return known[2]
    type_info = TypeInfo(schema)
    finder = _FilterArguments(type_info)
    visit(document, TypeInfoVisitor(type_info, finder))
    found = tuple(finder.found)
    _FILTER_ARGUMENTS[key] = (schema, document, found)
    if len(_FILTER_ARGUMENTS) > _FILTER_ARGUMENTS_SIZE:
        _FILTER_ARGUMENTS.popitem(last=False)
    return found


def _plain(value: object, variables: Mapping[str, Any]) -> object:
    """One level of a value as Python data: literals read, variables looked up. Nested
    values stay as they are and are read when the walk gets to them."""
    if isinstance(value, VariableNode):
        return variables.get(value.name.value)
    if isinstance(value, ObjectValueNode):
        return {field.name.value: field.value for field in value.fields}
    if isinstance(value, ListValueNode):
        return list(value.values)
    if isinstance(value, StringValueNode):
        return value.value
    return value


class _FilterSize:
    """Walks one filter as sent, before it is coerced or converted: stops at the first limit
    it breaks (or the first NUL in a text), so the walk costs no more than the limits allow,
    whatever was sent."""

    def __init__(self, settings: Settings, variables: Mapping[str, Any]) -> None:
        self.settings = settings
        self.variables = variables
        self.conditions = 0

    def check(self, value: object, depth: int = 1) -> GraphQLError | None:
        value = _plain(value, self.variables)
        if not isinstance(value, dict):
            return None  # null, or a value of the wrong type that validation refuses
        settings = self.settings
        if depth > settings.max_filter_depth:
            return LimitExceeded(
                f"The filter nests `and`/`or` more than {settings.max_filter_depth} levels "
                "deep (PORTAL_MAX_FILTER_DEPTH).",
                limit="maxFilterDepth",
                max=settings.max_filter_depth,
            )
        for key, item in value.items():
            if key in {"and", "or"}:
                branches = _plain(item, self.variables)
                for branch in branches if isinstance(branches, list) else [branches]:
                    if error := self.check(branch, depth + 1):
                        return error
            elif error := self._comparison(item):
                return error
        return None

    def _comparison(self, value: object) -> GraphQLError | None:
        value = _plain(value, self.variables)
        # A field's comparison holds operators (`{eq: …, in: […]}`); `search` is a text.
        for operand in value.values() if isinstance(value, dict) else [value]:
            self.conditions += 1
            if self.conditions > self.settings.max_filter_conditions:
                most = self.settings.max_filter_conditions
                return LimitExceeded(
                    f"The filter has more than {most} conditions, the limit "
                    "(PORTAL_MAX_FILTER_CONDITIONS).",
                    limit="maxFilterConditions",
                    max=most,
                )
            operand = _plain(operand, self.variables)
            items = operand if isinstance(operand, list) else [operand]
            if len(items) > self.settings.max_filter_list_values:
                most = self.settings.max_filter_list_values
                return LimitExceeded(
                    f"A filter list has {len(items)} values; the limit is {most} "
                    "(PORTAL_MAX_FILTER_LIST_VALUES).",
                    limit="maxFilterListValues",
                    max=most,
                )
            for item in items:
                text = _plain(item, self.variables)
                if not isinstance(text, str):
                    continue
                if "\x00" in text:  # PostgreSQL cannot take NUL in a text parameter: a 500
                    return BadUserInput("Filter texts must not contain NUL characters.")
                if len(text) > self.settings.max_filter_text_length:
                    most = self.settings.max_filter_text_length
                    return LimitExceeded(
                        f"A filter text is {len(text)} characters long; the limit is {most} "
                        "(PORTAL_MAX_FILTER_TEXT_LENGTH).",
                        limit="maxFilterTextLength",
                        max=most,
                    )
        return None


def check_filters(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    settings: Settings,
) -> list[GraphQLError]:
    """The first limit each filter of the request breaks (or a NUL in one of its texts), read
    from the document and the variables as sent: converting a 20,000-branch filter alone took
    seconds."""
    errors: list[GraphQLError] = []
    for value in _filter_arguments(schema, document):
        error = _FilterSize(settings, variables or {}).check(value)
        if error is not None:
            errors.append(error)
    return errors


class DocumentLimiter(SchemaExtension):
    """Applies the limits of the request's settings. List it before ValidationCache."""

    def on_operation(self) -> Iterator[None]:
        settings = _settings(self.execution_context.context)
        # The parser stops at the limit, so a huge document costs no more than a small one.
        self.execution_context.parse_options["max_tokens"] = settings.max_tokens
        yield

    def on_validate(self) -> Iterator[None]:
        settings = _settings(self.execution_context.context)
        overlap = overlap_rule(settings.max_merge_checks_per_token)
        rules = tuple(
            overlap if rule is OverlappingFieldsCanBeMergedRule else rule
            for rule in self.execution_context.validation_rules
        )
        self.execution_context.validation_rules = (*rules, limits_rule(settings))
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.result is None:
            errors = check_filters(
                context.schema._schema,
                context.graphql_document,
                context.variables,
                _settings(context.context),
            )
            if errors:  # a result set here is answered instead of executing
                context.result = GraphQLExecutionResult(data=None, errors=errors)
        yield
