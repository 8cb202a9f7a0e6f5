"""organizationEvents: what happens to the organizations the subscriber may see, as it happens.

Scoped like a query, and checked again for every event: each event is shown with fresh
DataLoaders (nothing one event loaded is served for the next), and an organization the
subscriber may not see (or no longer sees) is skipped as if nothing had happened.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import strawberry
from graphql import GraphQLError

from graph.core.context import Context, Info
from graph.live.types import OrganizationEvent
from graph.organizations.types import Organization
from models import EventType
from resolvers.actors import Actor
from resolvers.live.hub import Dropped, Subscriber


@strawberry.type
class LiveSubscriptions:
    @strawberry.subscription(
        description="Events about the organizations you may see, as they are committed "
        "(graphql-transport-ws on /graphql; the token goes in connection_init's payload)."
    )
    async def organization_events(
        self,
        info: Info,
        kinds: Annotated[
            list[EventType] | None,
            strawberry.argument(description="Only these kinds; null: every kind."),
        ] = None,
    ) -> AsyncIterator[OrganizationEvent]:
        context = info.context
        actor = context.require_actor()
        if context.hub is None:
            raise GraphQLError(
                "Subscriptions run over WebSocket (graphql-transport-ws) on /graphql.",
                extensions={"code": "BAD_REQUEST"},
            )
        # Registered before the first event is awaited: what commits from here on is seen.
        subscriber = await context.hub.subscribe(kinds)
        return _events(context, actor, subscriber)


async def _events(
    context: Context, actor: Actor, subscriber: Subscriber
) -> AsyncIterator[OrganizationEvent]:
    try:
        while True:
            try:
                event = await subscriber.next()
            except Dropped as dropped:
                if context.close is not None:
                    await context.close(dropped.reason)
                return
            context.fresh()
            record = await context.loaders.organization.load(event.organization_id)
            if record is None:
                continue  # not visible to this subscriber (any more)
            organization = Organization.from_record(record)
            yield OrganizationEvent.from_event(
                event, organization, contacts=context.may_read_contacts()
            )
    finally:
        subscriber.close()
