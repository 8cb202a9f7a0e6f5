"""The rows each table gets, built in one place per table (for `resolvers.sql`'s writes).

createCustomer writes all four; every status change writes a history entry. A column added
to a table is added here once, and every writer has it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID, uuid4

from models import Industry, OrganizationKind, OrganizationStatus
from resolvers.actors import Actor
from resolvers.sql import Row
from resolvers.validation import AddressDraft, ContactDraft, CustomerDraft


def customer_row(
    *,
    id: UUID,
    reseller: UUID,
    data: CustomerDraft,
    country: str,
    actor: Actor,
    now: datetime,
    approved: bool = False,
) -> Row:
    """A new customer under `reseller`, registered in `country`: PENDING_APPROVAL, or ACTIVE
    when `approved` ("create and approve": version 2, creation and approval in one write)."""
    assert data.industry is not None  # validation guarantees it; this tells the type checker
    status = OrganizationStatus.ACTIVE if approved else OrganizationStatus.PENDING_APPROVAL
    return Row(
        "organization",
        {
            "id": id,
            "kind": OrganizationKind.CUSTOMER,
            "status": status,
            "parent_id": reseller,
            "short_name": data.short_name,
            "full_name": data.full_name,
            "erp_id": data.erp_id,
            "registration_number": data.registration_number,
            "registration_country": country,
            "tax_id": data.tax_id,
            "currency": data.currency,
            "industry": Industry(data.industry),
            "created_at": now,
            "created_by": actor.subject,
            "created_by_org_id": actor.home_org_id,
            "approved_at": approval_time(now) if approved else None,
            "approved_by": actor.subject if approved else None,
            "updated_at": now,
            "version": 2 if approved else 1,
        },
    )


def approval_time(created: datetime) -> datetime:
    """When "create and approve" approves: a microsecond after the creation it follows, so
    the history (ordered by time) lists creation first."""
    return created + timedelta(microseconds=1)


def address_row(*, organization_id: UUID, address: AddressDraft) -> Row:
    return Row(
        "address",
        {
            "id": uuid4(),
            "organization_id": organization_id,
            "country": address.country,
            "city": address.city,
            "state": address.state,
            "line1": address.line1,
            "line2": address.line2,
            "postal_code": address.postal_code,
        },
    )


def contact_row(*, organization_id: UUID, contact: ContactDraft) -> Row:
    return Row(
        "contact",
        {
            "id": uuid4(),
            "organization_id": organization_id,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "role": contact.role,
            "email": contact.email,
            "phone": contact.phone,
        },
    )


def history_row(
    *,
    organization_id: UUID,
    from_status: OrganizationStatus | None,
    to_status: OrganizationStatus,
    comment: str | None,
    actor: Actor,
    now: datetime,
    request_id: str | None,
) -> Row:
    """One status_change entry: creation (`from_status` None) or a transition."""
    return Row(
        "status_change",
        {
            "id": uuid4(),
            "organization_id": organization_id,
            "from_status": from_status,
            "to_status": to_status,
            "comment": comment,
            "occurred_at": now,
            "actor_subject": actor.subject,
            "actor_org_id": actor.home_org_id,
            "request_id": request_id,
        },
    )
