"""OrganizationEvent: one outbox event as a subscriber sees it."""

from __future__ import annotations

from datetime import datetime

import strawberry

import graph.webhooks.types  # noqa: F401  (registers EventType as WebhookEventType)
from graph.core.enums import OrganizationStatus
from graph.organizations.types import FieldChange, Organization, shown_changes
from models import EventType
from resolvers.live.events import LiveEvent


@strawberry.type(description="Something that happened to an organization you may see.")
class OrganizationEvent:
    id: strawberry.ID = strawberry.field(
        description="The event's ID: the same as its webhooks' `webhook-id`."
    )
    type: EventType = strawberry.field(description="What happened.")
    occurred_at: datetime = strawberry.field(description="When it happened (UTC).")
    organization: Organization = strawberry.field(
        description="The organization as it is now, as you may see it."
    )
    from_status: OrganizationStatus | None = strawberry.field(
        description="CUSTOMER_STATUS_CHANGED: the status before."
    )
    to_status: OrganizationStatus | None = strawberry.field(
        description="CUSTOMER_CREATED and CUSTOMER_STATUS_CHANGED: the status after."
    )
    changes: list[FieldChange] = strawberry.field(
        description="CUSTOMER_UPDATED: one entry per changed field, in form order."
    )

    @classmethod
    def from_event(
        cls, event: LiveEvent, organization: Organization, *, contacts: bool
    ) -> OrganizationEvent:
        """`contacts`: whether the subscriber may read the contact; otherwise personal values
        are hidden exactly as the audit log hides them."""
        return cls(
            id=strawberry.ID(str(event.id)),
            type=event.type,
            occurred_at=event.occurred_at,
            organization=organization,
            from_status=event.from_status,
            to_status=event.to_status,
            changes=shown_changes(event.changes, contacts=contacts),
        )
