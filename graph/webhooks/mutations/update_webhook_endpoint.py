"""updateWebhookEndpoint: change an endpoint's URL, events, description or switch it."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.webhooks.mutations.base import EndpointPayload, endpoint_payload
from models import EventType
from resolvers.webhooks import endpoints

UpdateWebhookEndpointPayload = endpoint_payload("updateWebhookEndpoint")


@strawberry.input(description="What to change; omitted fields stay as they are.")
class UpdateWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the endpoint.")
    url: str | None = strawberry.field(default=None, description="A new URL.")
    events: list[EventType] | None = strawberry.field(default=None, description="New events.")
    description: str | None = strawberry.field(default=None, description="A new description.")
    enabled: bool | None = strawberry.field(
        default=None, description="false: send nothing; true: send again (clears the reason)."
    )


@strawberry.type
class UpdateWebhookEndpointMutation:
    @strawberry.mutation(
        description="Change a webhook endpoint.",
        graphql_type=UpdateWebhookEndpointPayload,
    )
    async def update_webhook_endpoint(
        self,
        info: Info,
        input: Annotated[
            UpdateWebhookEndpointInput, strawberry.argument(description="Which and what.")
        ],
    ) -> EndpointPayload:
        ctx = info.context
        return await UpdateWebhookEndpointPayload.answer(
            endpoints.update_endpoint(
                actor=ctx.require_actor(permission=None),
                id=input.id,
                url=input.url,
                events=input.events,
                description=input.description,
                enabled=input.enabled,
                allow_private=ctx.settings.webhook_allow_private,
            )
        )
