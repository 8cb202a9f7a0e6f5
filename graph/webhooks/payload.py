"""Webhook bodies show an organization exactly as the API shows it to the endpoint's owner.

Not a second serializer: the organization is read through the schema itself, as a query of
the owner's ADMIN would read it (same visibility, same field names and canonical forms). An
organization the owner may not see comes back null, and the endpoint gets no delivery.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import strawberry
from starlette.requests import Request
from starlette.responses import Response

from graph.core.context import Context
from resolvers import global_id
from resolvers.actors import Role, load_actor
from resolvers.webhooks.delivery import Render
from settings import Settings

# What `data.organization` holds: every field of Organization but the lists (history).
ORGANIZATION = """
query WebhookOrganization($id: ID!) {
  organization(id: $id) {
    id kind status shortName fullName erpId registrationNumber taxId currency industry
    createdAt createdBy approvedAt approvedBy
    parent { id kind shortName }
    primaryAddress { country city state line1 line2 postalCode formatted }
    primaryContact { firstName lastName role email phone phoneFormatted }
    taxIdVerification { status registry checkedAt consultationNumber registeredName }
  }
}
"""


class RenderError(RuntimeError):
    """The payload query failed: a bug, retried by the fan-out job and logged by class."""


def renderer(settings: Settings, schema: strawberry.Schema) -> Render:
    """`schema`: the application's (graph.schema.build_schema), handed in by server/ or
    portal/, the only packages that assemble it."""

    async def render(owner: UUID, organization: UUID) -> dict[str, Any] | None:
        actor = await load_actor(subject="webhooks", org_id=owner, roles=frozenset({Role.ADMIN}))
        if actor is None:
            return None
        context = Context(
            request=Request({"type": "http", "method": "POST", "headers": [], "path": "/"}),
            response=Response(),
            settings=settings,
            request_id="webhooks",
            actor=actor,
        )
        result = await schema.execute(
            ORGANIZATION,
            variable_values={"id": global_id.encode("Organization", organization)},
            context_value=context,
        )
        if result.errors or result.data is None:
            raise RenderError(result.errors[0].message if result.errors else "no data")
        found: dict[str, Any] | None = result.data["organization"]
        return found

    return render
