"""sendTestWebhook: queue a webhook.test delivery to an endpoint."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.webhooks.mutations.base import DeliveryPayload, delivery_payload
from resolvers.webhooks import deliveries

SendTestWebhookPayload = delivery_payload("sendTestWebhook")


@strawberry.input(description="The endpoint to test.")
class SendTestWebhookInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the endpoint.")


@strawberry.type
class SendTestWebhookMutation:
    @strawberry.mutation(
        description="Send a webhook.test event to an endpoint (follow it in webhookDeliveries).",
        graphql_type=SendTestWebhookPayload,
    )
    async def send_test_webhook(
        self,
        info: Info,
        input: Annotated[SendTestWebhookInput, strawberry.argument(description="Which.")],
    ) -> DeliveryPayload:
        actor = info.context.require_actor(permission=None)
        return await SendTestWebhookPayload.answer(deliveries.send_test(actor=actor, id=input.id))
