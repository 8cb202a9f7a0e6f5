"""rotateWebhookSecret: a new signing secret; the old one signs too for a grace period."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.context import Info
from graph.webhooks.mutations.base import SecretPayload, secret_payload
from resolvers.webhooks import endpoints

RotateWebhookSecretPayload = secret_payload("rotateWebhookSecret")


@strawberry.input(description="The endpoint whose secret to replace.")
class RotateWebhookSecretInput:
    id: strawberry.ID = strawberry.field(description="Global ID of the endpoint.")


@strawberry.type
class RotateWebhookSecretMutation:
    @strawberry.mutation(
        description=(
            "Replace an endpoint's secret; for PORTAL_WEBHOOK_SECRET_GRACE_SECONDS "
            "deliveries carry signatures with the old and the new secret."
        ),
        graphql_type=RotateWebhookSecretPayload,
    )
    async def rotate_webhook_secret(
        self,
        info: Info,
        input: Annotated[RotateWebhookSecretInput, strawberry.argument(description="Which.")],
    ) -> SecretPayload:
        ctx = info.context
        return await RotateWebhookSecretPayload.answer(
            endpoints.rotate_secret(
                actor=ctx.require_actor(permission=None),
                id=input.id,
                grace_seconds=ctx.settings.webhook_secret_grace_seconds,
            )
        )
