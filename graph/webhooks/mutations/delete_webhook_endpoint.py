"""deleteWebhookEndpoint: remove an endpoint and its delivery history."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.core.errors import user_errors
from graph.webhooks.mutations.base import EndpointPayload, endpoint_payload
from graph.webhooks.types import WebhookEndpoint
from resolvers.errors import DomainError
from resolvers.webhooks import endpoints

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
        ctx = info.context
        try:
            record = await endpoints.get_endpoint(
                actor=ctx.require_actor(permission=None), id=input.id
            )
            await endpoints.delete_endpoint(actor=ctx.require_actor(permission=None), id=input.id)
        except DomainError as error:
            return DeleteWebhookEndpointPayload(errors=user_errors(error))
        return DeleteWebhookEndpointPayload(endpoint=WebhookEndpoint.from_record(record))
