"""What the webhook mutations share: payload shapes and the call-and-convert step.

A mutation's field is its input and one line, `await <Op>Payload.answer(resolver call)`: the
payload of what the resolver returned, or of every problem when it raises a `DomainError`
(as `graph/organizations/mutations/base.py`'s `change_status` does for the customers).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any, Self, TypeVar, cast

import strawberry

from graph.core.errors import UserError, errors_field, user_errors
from graph.webhooks.types import WebhookDelivery, WebhookEndpoint
from resolvers.errors import DomainError
from resolvers.webhooks.deliveries import DeliveryRecord
from resolvers.webhooks.endpoints import EndpointRecord

PayloadT = TypeVar("PayloadT")


class _Answers:
    """`answer`, for a payload class that says in `of` how it is made of a resolver's result."""

    @classmethod
    def of(cls, found: Any) -> Self:
        raise NotImplementedError

    @classmethod
    async def answer(cls, call: Awaitable[Any]) -> Self:
        try:
            found = await call
        except DomainError as error:
            return cls(errors=user_errors(error))  # type: ignore[call-arg]  # the payloads' own
        return cls.of(found)


@strawberry.type(description="Result of a mutation that changes a webhook endpoint.")
class EndpointPayload(_Answers):
    endpoint: WebhookEndpoint | None = strawberry.field(
        default=None, description="The endpoint as it is now; null when errors."
    )
    errors: list[UserError] = errors_field()

    @classmethod
    def of(cls, found: EndpointRecord) -> Self:
        return cls(endpoint=WebhookEndpoint.from_record(found))


@strawberry.type(description="Result of a mutation that issues a webhook secret.")
class SecretPayload(EndpointPayload):
    secret: str | None = strawberry.field(
        default=None,
        description="The signing secret (whsec_…): shown only here, store it now.",
    )

    @classmethod
    def of(cls, found: tuple[EndpointRecord, str]) -> Self:  # type: ignore[override]
        record, secret = found
        return cls(endpoint=WebhookEndpoint.from_record(record), secret=secret)


@strawberry.type(description="Result of a mutation that queues a delivery.")
class DeliveryPayload(_Answers):
    delivery: WebhookDelivery | None = strawberry.field(
        default=None, description="The queued delivery; null when errors."
    )
    errors: list[UserError] = errors_field()

    @classmethod
    def of(cls, found: DeliveryRecord) -> Self:
        return cls(delivery=WebhookDelivery.from_record(found))


def endpoint_payload(operation: str) -> type[EndpointPayload]:
    return _named(EndpointPayload, operation)


def secret_payload(operation: str) -> type[SecretPayload]:
    return _named(SecretPayload, operation)


def delivery_payload(operation: str) -> type[DeliveryPayload]:
    return _named(DeliveryPayload, operation)


def _named(base: type[PayloadT], operation: str) -> type[PayloadT]:
    """`<Operation>Payload`: the shape of `base` under the operation's name."""
    name = f"{operation[0].upper()}{operation[1:]}Payload"
    payload = strawberry.type(type(name, (base,), {}), description=f"Result of {operation}.")
    return cast(type[PayloadT], payload)
