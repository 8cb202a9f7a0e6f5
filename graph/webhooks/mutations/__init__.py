"""The webhook mutations (ADMIN of the endpoint's organization), one module per mutation."""

from __future__ import annotations

import strawberry

from graph.webhooks.mutations.create_webhook_endpoint import CreateWebhookEndpointMutation
from graph.webhooks.mutations.delete_webhook_endpoint import DeleteWebhookEndpointMutation
from graph.webhooks.mutations.replay_webhook_delivery import ReplayWebhookDeliveryMutation
from graph.webhooks.mutations.rotate_webhook_secret import RotateWebhookSecretMutation
from graph.webhooks.mutations.send_test_webhook import SendTestWebhookMutation
from graph.webhooks.mutations.update_webhook_endpoint import UpdateWebhookEndpointMutation


@strawberry.type
class WebhookMutations(
    CreateWebhookEndpointMutation,
    UpdateWebhookEndpointMutation,
    DeleteWebhookEndpointMutation,
    RotateWebhookSecretMutation,
    SendTestWebhookMutation,
    ReplayWebhookDeliveryMutation,
):
    pass
