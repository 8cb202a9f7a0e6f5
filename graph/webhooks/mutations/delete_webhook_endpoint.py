"""deleteWebhookEndpoint: remove an endpoint and its delivery history."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.webhooks.mutations.base import EndpointPayload, endpoint_payload
from resolvers.webhooks import endpoints
from resolvers.webhooks.endpoints import EndpointRecord

DeleteWebhookEndpointPayload = endpoint_payload("deleteWebhookEndpoint")


@strawberry.input(description="The endpoint to delete.")
class DeleteWebhookEndpointInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the endpoint.")


@strawberry.type
class DeleteWebhookEndpointMutation:
    @strawberry.mutation(
        description="Delete a webhook endpoint; queued deliveries to it are dropped.",
        graphql_type=DeleteWebhookEndpointPayload,
    )
    async def delete_webhook_endpoint(
        self,
        info: Info,
        input: Annotated[DeleteWebhookEndpointInput, strawberry.argument(description="Which.")],
    ) -> EndpointPayload:
        actor = info.context.require_actor(permission=None)

        async def delete() -> EndpointRecord:  # answers the endpoint as it was
            record = await endpoints.get_endpoint(actor=actor, id=input.id)
            await endpoints.delete_endpoint(actor=actor, id=input.id)
            return record

        return await DeleteWebhookEndpointPayload.answer(delete())
