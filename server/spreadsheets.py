"""Spreadsheet files over plain HTTP: the import template and the organizations export.

Both need a bearer token like every GraphQL request, and READ, and act where
`X-Organization-ID` says exactly as a GraphQL request does (`server.auth.acting_in`, the same
403 for an organization the caller may not act in). The export takes the
`organizations` query's own filter, as JSON in `?filter=`, coerced by the schema's
`OrganizationFilter` type (so the two can never disagree), and streams its rows: memory holds
one batch of organizations whatever the size of the list.
"""

from __future__ import annotations

import json
from typing import Any

import strawberry
from graphql import GraphQLError, Undefined
from graphql.utilities import coerce_input_value, validate_input_value
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from strawberry.types.arguments import convert_argument

from graph.organizations.filters import OrganizationFilter, to_filter
from resolvers.actors import Actor, Permission
from resolvers.imports.export import export_csv, template
from resolvers.listing import Filter
from server.auth import NOT_ACTABLE, ORGANIZATION_HEADER, acting_in, authenticate
from server.http import JSON, error_body

CSV = "text/csv; charset=utf-8"
# A filter is a few conditions; these bound what a query string can make us parse.
MAX_FILTER_CHARS = 8192
MAX_FILTER_DEPTH = 16


class Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> Response:
        return Response(
            error_body(self.message, {"code": self.code}),
            status_code=self.status,
            media_type=f"{JSON}; charset=utf-8",
        )


async def _reader(request: Request) -> Actor:
    actor, reason = await authenticate(
        request.app.state.tokens, request.headers.get("authorization")
    )
    if actor is None:
        raise Refused(401, "UNAUTHENTICATED", reason or "Sign in: send a valid bearer token.")
    selected = request.headers.get(ORGANIZATION_HEADER)
    if selected is not None:
        acting = await acting_in(actor, selected)
        if acting is None:
            raise Refused(403, "FORBIDDEN", NOT_ACTABLE)
        actor = acting
    if not actor.can(Permission.READ):
        raise Refused(403, "FORBIDDEN", "Your roles do not grant READ.")
    return actor


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def parse_filter(schema: strawberry.Schema, raw: str | None) -> Filter | None:
    """`?filter=` as the domain filter `organizations(filter:)` would build from it."""
    if raw is None or not raw.strip():
        return None
    if len(raw) > MAX_FILTER_CHARS:
        raise Refused(400, "BAD_REQUEST", f"The filter is longer than {MAX_FILTER_CHARS} chars.")
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise Refused(400, "BAD_REQUEST", "The filter must be JSON (an OrganizationFilter).") from (
            error
        )
    if _depth(value) > MAX_FILTER_DEPTH:
        raise Refused(400, "BAD_REQUEST", f"The filter nests deeper than {MAX_FILTER_DEPTH}.")
    graphql_type = schema._schema.get_type("OrganizationFilter")
    assert graphql_type is not None
    problems: list[str] = []

    def on_error(error: GraphQLError, *_: Any) -> None:
        problems.append(error.message)

    try:
        validate_input_value(value, graphql_type, on_error)  # type: ignore[arg-type]
        coerced = coerce_input_value(value, graphql_type)  # type: ignore[arg-type]
        if problems or coerced is Undefined:
            raise GraphQLError(" ".join(problems) or "not an OrganizationFilter")
        converted = convert_argument(
            coerced, OrganizationFilter, schema.schema_converter.scalar_registry, schema.config
        )
        return to_filter(converted)  # type: ignore[arg-type]
    except GraphQLError as error:
        raise Refused(400, "BAD_REQUEST", f"Invalid filter: {error.message}") from error


def spreadsheet_routes(schema: strawberry.Schema) -> list[Route]:
    async def import_template(request: Request) -> Response:
        try:
            await _reader(request)
        except Refused as refused:
            return refused.response()
        return Response(
            template().encode(),
            media_type=CSV,
            headers={
                "content-disposition": 'attachment; filename="customers-template.csv"',
                "cache-control": "no-store",
            },
        )

    async def export_organizations(request: Request) -> Response:
        try:
            actor = await _reader(request)
            filter_ = parse_filter(schema, request.query_params.get("filter"))
        except Refused as refused:
            return refused.response()

        async def body() -> Any:
            async for chunk in export_csv(actor=actor, filter=filter_):
                yield chunk.encode()

        return StreamingResponse(
            body(),
            media_type=CSV,
            headers={
                "content-disposition": 'attachment; filename="organizations.csv"',
                # Private data: no shared cache may keep it.
                "cache-control": "no-store",
            },
        )

    return [
        Route("/imports/template.csv", import_template, methods=["GET"]),
        Route("/exports/organizations.csv", export_organizations, methods=["GET"]),
    ]
