"""What the webhook mutations share: payload shapes and the call-and-convert step."""

from __future__ import annotations

import strawberry

from graph.core.errors import UserError, errors_field
from graph.webhooks.types import WebhookDelivery, WebhookEndpoint


@strawberry.type(description="Result of a mutation that changes a webhook endpoint.")
class EndpointPayload:
    endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="The endpoint as it is now; null when errors."
    )
    errors: list[UserError] = errors_field()


@strawberry.type(description="Result of a mutation that issues a webhook secret.")
class SecretPayload(EndpointPayload):
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret (whsec_…): shown only here, store it now.",
    )


@strawberry.type(description="Result of a mutation that queues a delivery.")
class DeliveryPayload:
    delivery: WebhookDelivery | None = strawberry.field(
        default=None, description="The queued delivery; null when errors."
    )
    errors: list[UserError] = errors_field()


def endpoint_payload(operation: str) -> type[EndpointPayload]:
    @strawberry.type(name=_name(operation), description=f"Result of {operation}.")
    class Payload(EndpointPayload):
        pass

    return Payload


def secret_payload(operation: str) -> type[SecretPayload]:
    @strawberry.type(name=_name(operation), description=f"Result of {operation}.")
    class Payload(SecretPayload):
        pass

    return Payload


def delivery_payload(operation: str) -> type[DeliveryPayload]:
    @strawberry.type(name=_name(operation), description=f"Result of {operation}.")
    class Payload(DeliveryPayload):
        pass

    return Payload


def _name(operation: str) -> str:
    return f"{operation[0].upper()}{operation[1:]}Payload"
