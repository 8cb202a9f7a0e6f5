"""replayWebhookDelivery: send a finished (typically FAILED) delivery again."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.webhooks.mutations.base import DeliveryPayload, delivery_payload
from resolvers.webhooks import deliveries

ReplayWebhookDeliveryPayload = delivery_payload("replayWebhookDelivery")


@strawberry.input(description="The delivery to send again.")
class ReplayWebhookDeliveryInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the delivery.")


@strawberry.type
class ReplayWebhookDeliveryMutation:
    @strawberry.mutation(
        description=(
            "Send a FAILED or SUCCEEDED delivery again: same body and webhook-id, "
            "a fresh retry schedule."
        ),
        graphql_type=ReplayWebhookDeliveryPayload,
    )
    async def replay_webhook_delivery(
        self,
        info: Info,
        input: Annotated[ReplayWebhookDeliveryInput, strawberry.argument(description="Which.")],
    ) -> DeliveryPayload:
        actor = info.context.require_actor(permission=None)
        return await ReplayWebhookDeliveryPayload.answer(
            deliveries.replay(actor=actor, id=input.id)
        )
