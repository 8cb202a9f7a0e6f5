"""The organization types, built from plain records (never from ORM instances).

Organization, its status history (StatusChange and its connection) and the Actor behind each
change point at one another, so they share this module; `connections.py` imports it, never
the other way."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated, TypeVar
from uuid import UUID

import strawberry

from graph.core.context import Info
from graph.core.convert import convert
from graph.core.enums import AuditAction, Industry, OrganizationKind, OrganizationStatus
from graph.core.node import Node, node_loader
from graph.core.paging import DEFAULT_PAGE_SIZE, Connection, Edge, position
from graph.verification.types import TaxIdVerification
from resolvers import audit, global_id
from resolvers.records import (
    AddressRecord,
    ContactRecord,
    OrganizationRecord,
    StatusChangeRecord,
)
from resolvers.validation import AddressDraft, format_address, format_phone
from resolvers.verification.state import NOT_APPLICABLE


class Unloaded(Enum):
    """A related row nobody fetched yet (None means: fetched, and there is none)."""

    UNLOADED = "unloaded"


UNLOADED = Unloaded.UNLOADED
MAX_AUDIT_PAGE = 100
R = TypeVar("R")
T = TypeVar("T")


async def _later(pending: Awaitable[R | None], target: type[T]) -> T | None:
    found = await pending
    return convert(found, target) if found else None


@strawberry.type(description="A postal address, in canonical form.")
class Address:
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. NL.")
    city: str = strawberry.field(description="City or town.")
    state: str | None = strawberry.field(description="State or province code, where used.")
    line1: str = strawberry.field(description="Street and number.")
    line2: str | None = strawberry.field(description="Secondary address line.")
    postal_code: str | None = strawberry.field(
        description="Postal code in the country's usual layout, e.g. 5652 AW."
    )

    @strawberry.field(description="The address as the country writes it, lines joined by newlines.")
    def formatted(self) -> str:
        return format_address(convert(self, AddressDraft))


@strawberry.type(description="The person the distributor contacts about an organization.")
class Contact:
    first_name: str = strawberry.field(description="Given name.")
    last_name: str = strawberry.field(description="Family name.")
    role: str = strawberry.field(description="Job title, e.g. CEO.")
    email: str = strawberry.field(description="Email address, domain in lower case.")
    phone: str = strawberry.field(description="Phone number in E.164, e.g. +31402506000.")

    @strawberry.field(description="The phone number in international format, e.g. +31 40 250 6000.")
    def phone_formatted(self) -> str:
        return format_phone(self.phone)


@strawberry.type(description="A distributor, reseller or customer organization.")
class Organization(Node):
    kind: OrganizationKind = strawberry.field(description="DISTRIBUTOR, RESELLER or CUSTOMER.")
    status: OrganizationStatus = strawberry.field(description="Lifecycle status.")
    short_name: str = strawberry.field(description="Name used in lists, e.g. Copaco.")
    full_name: str = strawberry.field(description="Legal name, e.g. Copaco Netherlands B.V.")
    erp_id: str | None = strawberry.field(
        description="The customer's number in the reseller's bookkeeping."
    )
    registration_number: str | None = strawberry.field(
        description="Chamber-of-commerce number, compact (NL KvK: 8 digits)."
    )
    tax_id: str | None = strawberry.field(
        description="VAT number: country prefix + compact number, e.g. NL006486253B01."
    )
    currency: str | None = strawberry.field(description="ISO 4217 billing currency.")
    industry: Industry | None = strawberry.field(description="The customer's sector.")
    created_at: datetime = strawberry.field(description="When it was created (UTC, microseconds).")
    created_by: str | None = strawberry.field(description="Token subject of the creator.")
    approved_at: datetime | None = strawberry.field(description="When it was approved.")
    approved_by: str | None = strawberry.field(description="Token subject of the approver.")
    version: int = strawberry.field(
        description="1 at creation, +1 with every change a person writes; updateCustomer's "
        "expectedVersion must match it."
    )
    record: strawberry.Private[OrganizationRecord]
    # What a list fetched in its own statement; UNLOADED: ask the DataLoader.
    address: strawberry.Private[AddressRecord | None | Unloaded] = UNLOADED
    contact: strawberry.Private[ContactRecord | None | Unloaded] = UNLOADED

    # Synchronous on purpose: a list that fetched the address hands it over without a
    # coroutine per row; only the other paths return the DataLoader's awaitable, which
    # graphql-core awaits like an async resolver's result.
    @strawberry.field(description="The primary address; null for distributor and resellers.")
    def primary_address(self, info: Info) -> Address | None:
        if self.address is UNLOADED:
            return _later(info.context.loaders.address.load(self.record.id), Address)  # type: ignore[return-value]
        return convert(self.address, Address) if self.address else None

    @strawberry.field(description="The primary contact; null for distributor and resellers.")
    def primary_contact(self, info: Info) -> Contact | None:
        info.context.require_actor()  # personal data: checked here too, whatever the path
        if self.contact is UNLOADED:
            return _later(info.context.loaders.contact.load(self.record.id), Contact)  # type: ignore[return-value]
        return convert(self.contact, Contact) if self.contact else None

    @strawberry.field(
        description="What the tax registry (VIES, HMRC) says about taxId (checked later)."
    )
    async def tax_id_verification(self, info: Info) -> TaxIdVerification:
        if not info.context.settings.tax_id_verification:
            return TaxIdVerification.from_record(NOT_APPLICABLE)
        found = await info.context.loaders.tax_id_verification.load(self.record.id)
        return TaxIdVerification.from_record(found or NOT_APPLICABLE)

    @strawberry.field(description="The organization above this one; null for the distributor.")
    async def parent(self, info: Info) -> Organization | None:
        if self.record.parent_id is None:
            return None
        return await load_organization(info, self.record.parent_id)

    @strawberry.field(description="Every status change, oldest first; creation is the first.")
    async def history(
        self,
        info: Info,
        first: Annotated[int | None, strawberry.argument(description="Page size.")] = None,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor to continue after.")
        ] = None,
    ) -> StatusChangeConnection:
        changes = await info.context.loaders.history.load(self.record.id) or []
        return history_page(changes, first=first, after=after)

    @strawberry.field(
        description="Every change, oldest first: creation, each edit (old and new values), "
        "each status change, each tax-authority verdict."
    )
    async def audit_log(
        self,
        info: Info,
        first: Annotated[
            int | None, strawberry.argument(description="Page size (max 100).")
        ] = None,
        after: Annotated[
            str | None, strawberry.argument(description="Cursor to continue after.")
        ] = None,
    ) -> AuditEntryConnection:
        info.context.require_actor()
        start = position(after) + 1 if after else 0
        size = min(max(0, first if first is not None else DEFAULT_PAGE_SIZE), MAX_AUDIT_PAGE)
        found = await audit.page(self.record.id, offset=start, limit=size + 1)
        page = found[:size]
        contacts = info.context.may_read_contacts()
        nodes = [AuditEntry.from_stored(e, contacts=contacts) for e in page]
        return AuditEntryConnection.page(
            nodes, offset=start, has_next=len(found) > size, organization_id=self.record.id
        )

    @classmethod
    def from_record(
        cls,
        r: OrganizationRecord,
        *,
        address: AddressRecord | None | Unloaded = UNLOADED,
        contact: ContactRecord | None | Unloaded = UNLOADED,
    ) -> Organization:
        return cls(
            id=strawberry.ID(global_id.encode("Organization", r.id)),
            kind=r.kind,
            status=r.status,
            short_name=r.short_name,
            full_name=r.full_name,
            erp_id=r.erp_id,
            registration_number=r.registration_number,
            tax_id=r.tax_id,
            currency=r.currency,
            industry=r.industry,
            created_at=r.created_at,
            created_by=r.created_by,
            approved_at=r.approved_at,
            approved_by=r.approved_by,
            version=r.version,
            record=r,
            address=address,
            contact=contact,
        )


@strawberry.type(description="Who made a change: the token subject and their organization.")
class Actor:
    subject: str = strawberry.field(description="Token subject (`sub` claim).")
    organization_id: strawberry.Private[UUID | None]

    @strawberry.field(description="The organization the person acted in, if visible to you.")
    async def organization(self, info: Info) -> Organization | None:
        if self.organization_id is None:
            return None
        return await load_organization(info, self.organization_id)


@strawberry.type(description="One entry of an organization's status history.")
class StatusChange(Node):
    from_status: OrganizationStatus | None = strawberry.field(
        description="Status before; null for creation."
    )
    to_status: OrganizationStatus = strawberry.field(description="Status after.")
    comment: str | None = strawberry.field(description="Approval comment or rejection reason.")
    occurred_at: datetime = strawberry.field(description="When it happened (UTC).")
    request_id: str | None = strawberry.field(description="ID of the request that made it.")
    actor: Actor = strawberry.field(description="Who made the change.")

    @classmethod
    def from_record(cls, r: StatusChangeRecord) -> StatusChange:
        return cls(
            id=strawberry.ID(global_id.encode("StatusChange", r.id)),
            from_status=r.from_status,
            to_status=r.to_status,
            comment=r.comment,
            occurred_at=r.occurred_at,
            request_id=r.request_id,
            actor=Actor(subject=r.actor_subject, organization_id=r.actor_org_id),
        )


@strawberry.type(description="One edited field, with its old and new canonical value.")
class FieldChange:
    field: str = strawberry.field(description='Dotted path, e.g. "primaryAddress.city".')
    old_value: str | None = strawberry.field(
        description="Before; null when there was none, or for contact fields you may not read."
    )
    new_value: str | None = strawberry.field(
        description="After; null when there is none, or for contact fields you may not read."
    )


def shown_changes(changes: Sequence[audit.FieldChange], *, contacts: bool) -> list[FieldChange]:
    """`changes` as a reader sees them: personal (contact) values only for a reader who may
    read the contact; otherwise the field names stay, so the reader still sees what changed.
    The audit log and live events (graph/live/) show them this way."""
    return [
        FieldChange(field=c.field, old_value=c.old, new_value=c.new)
        if contacts or not c.personal
        else FieldChange(field=c.field, old_value=None, new_value=None)
        for c in changes
    ]


@strawberry.type(description="One entry of an organization's audit log.")
class AuditEntry(Node):
    occurred_at: datetime = strawberry.field(description="When it happened (UTC).")
    request_id: str | None = strawberry.field(description="ID of the request that made it.")
    actor: Actor | None = strawberry.field(
        description="Who made the change; null for the system (tax-authority verdicts)."
    )
    action: AuditAction = strawberry.field(description="What kind of change.")
    changes: list[FieldChange] = strawberry.field(
        description="UPDATED: one entry per changed field, in form order."
    )
    from_status: OrganizationStatus | None = strawberry.field(
        description="STATUS_CHANGED: the status before."
    )
    to_status: OrganizationStatus | None = strawberry.field(
        description="CREATED and STATUS_CHANGED: the status after."
    )
    comment: str | None = strawberry.field(description="The reason or comment given.")

    @classmethod
    def from_stored(cls, e: audit.StoredEntry, *, contacts: bool) -> AuditEntry:
        """`contacts`: whether the reader may read the contact (personal values are hidden
        otherwise; the field names stay, so the reader still sees that it changed)."""
        return cls(
            id=strawberry.ID(global_id.encode("AuditEntry", e.id)),
            occurred_at=e.occurred_at,
            request_id=e.request_id,
            actor=None
            if e.actor_subject is None
            else Actor(subject=e.actor_subject, organization_id=e.actor_org_id),
            action=e.action,
            changes=shown_changes(e.changes, contacts=contacts),
            from_status=e.from_status,
            to_status=e.to_status,
            comment=e.comment,
        )


@strawberry.type(description="An audit entry in a list, with its cursor.")
class AuditEntryEdge(Edge[AuditEntry]):
    node: AuditEntry = strawberry.field(description="The entry.")


@strawberry.type(description="A page of audit entries, oldest first.")
class AuditEntryConnection(Connection[AuditEntryEdge, AuditEntry]):
    organization_id: strawberry.Private[UUID]

    @strawberry.field(description="All entries, over every page.")
    async def total_count(self, info: Info) -> int:
        info.context.require_actor()
        return await audit.count(self.organization_id)


@strawberry.type(description="A status change in a list, with its cursor.")
class StatusChangeEdge(Edge[StatusChange]):
    node: StatusChange = strawberry.field(description="The status change.")


@strawberry.type(description="A page of status changes, oldest first.")
class StatusChangeConnection(Connection[StatusChangeEdge, StatusChange]):
    total_count: int = strawberry.field(description="All entries, over every page.")


def history_page(
    changes: Sequence[StatusChangeRecord],
    *,
    first: int | None,
    after: str | None,
) -> StatusChangeConnection:
    # An organization has a handful of entries, loaded at once by a DataLoader; page in memory.
    start = position(after) + 1 if after else 0
    size = len(changes) if first is None else max(0, first)
    chosen = changes[start : start + size]
    nodes = [StatusChange.from_record(c) for c in chosen]
    return StatusChangeConnection.page(
        nodes,
        offset=start,
        has_next=start + len(nodes) < len(changes),
        total_count=len(changes),
    )


@node_loader(Organization)
async def load_organization(info: Info, id: UUID) -> Organization | None:
    """The organization, if the actor may see it (batched per request by the DataLoader)."""
    found = await info.context.loaders.organization.load(id)
    return Organization.from_record(found) if found else None


@node_loader(AuditEntry)
async def load_audit_entry(info: Info, id: UUID) -> AuditEntry | None:
    actor = info.context.require_actor()
    found = (await audit.get_entries(actor=actor, ids=[id])).get(id)
    contacts = info.context.may_read_contacts()
    return AuditEntry.from_stored(found, contacts=contacts) if found else None


@node_loader(StatusChange)
async def load_status_change(info: Info, id: UUID) -> StatusChange | None:
    found = await info.context.loaders.status_change.load(id)
    return StatusChange.from_record(found) if found else None
