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
    assert data.short_name is not None and data.full_name is not None  # likewise
    return organization_row(
        id=id,
        kind=OrganizationKind.CUSTOMER,
        status=OrganizationStatus.ACTIVE if approved else OrganizationStatus.PENDING_APPROVAL,
        parent_id=reseller,
        short_name=data.short_name,
        full_name=data.full_name,
        actor=actor,
        now=now,
        erp_id=data.erp_id,
        registration_number=data.registration_number,
        registration_country=country,
        tax_id=data.tax_id,
        currency=data.currency,
        industry=Industry(data.industry),
        approved_at=approval_time(now) if approved else None,
        approved_by=actor.subject if approved else None,
        version=2 if approved else 1,
    )


def organization_row(
    *,
    id: UUID,
    kind: OrganizationKind,
    status: OrganizationStatus,
    parent_id: UUID | None,
    short_name: str,
    full_name: str,
    actor: Actor,
    now: datetime,
    erp_id: str | None = None,
    registration_number: str | None = None,
    registration_country: str | None = None,
    tax_id: str | None = None,
    currency: str | None = None,
    industry: Industry | None = None,
    approved_at: datetime | None = None,
    approved_by: str | None = None,
    version: int = 1,
) -> Row:
    """Any organization (customer_row fills in a customer's; the demo seed, the others)."""
    return Row(
        "organization",
        {
            "id": id,
            "kind": kind,
            "status": status,
            "parent_id": parent_id,
            "short_name": short_name,
            "full_name": full_name,
            "erp_id": erp_id,
            "registration_number": registration_number,
            "registration_country": registration_country,
            "tax_id": tax_id,
            "currency": currency,
            "industry": industry,
            "created_at": now,
            "created_by": actor.subject,
            "created_by_org_id": actor.home_org_id,
            "approved_at": approved_at,
            "approved_by": approved_by,
            "updated_at": now,
            "version": version,
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
