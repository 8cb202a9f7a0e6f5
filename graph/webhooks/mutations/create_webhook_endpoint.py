"""createWebhookEndpoint: register a URL for signed webhooks (ADMIN)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.webhooks.mutations.base import SecretPayload, secret_payload
from models import EventType
from resolvers.webhooks import endpoints

CreateWebhookEndpointPayload = secret_payload("createWebhookEndpoint")


@strawberry.input(description="A URL to send webhooks to, and which events.")
class CreateWebhookEndpointInput:
    url: str = strawberry.field(description="https URL that resolves to a public address.")
    events: list[EventType] = strawberry.field(description="The event types to receive.")
    description: str | None = strawberry.field(default=None, description="What it is for.")


@strawberry.type
class CreateWebhookEndpointMutation:
    @strawberry.mutation(
        description=(
            "Register a webhook endpoint; the answer holds its secret, shown only this once."
        ),
        graphql_type=CreateWebhookEndpointPayload,
    )
    async def create_webhook_endpoint(
        self,
        info: Info,
        input: Annotated[
            CreateWebhookEndpointInput, strawberry.argument(description="The endpoint.")
        ],
    ) -> SecretPayload:
        ctx = info.context
        return await CreateWebhookEndpointPayload.answer(
            endpoints.create_endpoint(
                actor=ctx.require_actor(permission=None),
                url=input.url,
                events=input.events,
                description=input.description,
                allow_private=ctx.settings.webhook_allow_private,
            )
        )
