"""replayWebhookDelivery: send a finished (typically FAILED) delivery again."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.core.errors import user_errors
from graph.webhooks.mutations.base import DeliveryPayload, delivery_payload
from graph.webhooks.types import WebhookDelivery
from resolvers.errors import DomainError
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
        ctx = info.context
        try:
            record = await deliveries.replay(actor=ctx.require_actor(permission=None), id=input.id)
        except DomainError as error:
            return ReplayWebhookDeliveryPayload(errors=user_errors(error))
        return ReplayWebhookDeliveryPayload(delivery=WebhookDelivery.from_record(record))
