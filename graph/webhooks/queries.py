"""Webhook reads: the acting organization's endpoints and deliveries (ADMIN only)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.core.arguments import arg
from graph.core.context import Info
from graph.core.errors import BadUserInput
from graph.core.paging import forward_window
from graph.webhooks.types import (
    WebhookDelivery,
    WebhookDeliveryConnection,
    WebhookEndpoint,
)
from models import DeliveryStatus
from resolvers.actors import Permission
from resolvers.errors import DomainError
from resolvers.webhooks import deliveries, endpoints


@strawberry.type
class WebhookQueries:
    @strawberry.field(description="The acting organization's webhook endpoints (ADMIN).")
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        actor = info.context.require_actor(Permission.MANAGE_WEBHOOKS)
        return [WebhookEndpoint.from_record(r) for r in await endpoints.list_endpoints(actor=actor)]

    @strawberry.field(
        description="Deliveries to the acting organization's endpoints, newest first."
    )
    async def webhook_deliveries(
        self,
        info: Info,
        endpoint_id: Annotated[strawberry.ID | None, arg("Only this endpoint's.")] = None,
        status: Annotated[DeliveryStatus | None, arg("Only deliveries in this status.")] = None,
        first: Annotated[int | None, arg("Page size (at most 100).")] = None,
        after: Annotated[str | None, arg("Cursor to continue after.")] = None,
    ) -> WebhookDeliveryConnection:
        actor = info.context.require_actor(Permission.MANAGE_WEBHOOKS)
        max_size = info.context.settings.max_page_size
        chosen = await forward_window(first=first, after=after, max_size=max_size)
        try:
            records, total = await deliveries.list_deliveries(
                actor=actor, endpoint_id=endpoint_id, status=status, window=chosen
            )
        except DomainError as error:  # an endpoint ID that is not one of ours
            raise BadUserInput(error.errors[0].message) from error
        nodes = [WebhookDelivery.from_record(r) for r in records]
        return WebhookDeliveryConnection.page(
            nodes,
            offset=chosen.offset,
            has_next=chosen.offset + len(nodes) < total,
            total_count=total,
        )
