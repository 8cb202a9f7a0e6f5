"""Plain, immutable rows handed to the GraphQL layer.

Tortoise model instances are awaitable, which pushes graphql-core onto its slow asynchronous
path for every object; these dataclasses are what resolvers return instead.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, ClassVar, Self
from uuid import UUID

from tortoise.models import Model

from models import (
    Address,
    Contact,
    Industry,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    StatusChange,
)
from resolvers import sql


class _Row:
    model: ClassVar[type[Model]]
    _decoders: ClassVar[dict[type, sql.Decoder]] = {}

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))  # type: ignore[arg-type]

    @classmethod
    def from_raw(cls, row: dict[str, Any]) -> Self:
        """From a hand-written statement's raw row, through the model's field converters."""
        decode = cls._decoders.get(cls)
        if decode is None:
            decode = cls._decoders[cls] = sql.decoder(cls.model, cls.columns())
        return cls.from_row(decode(row))

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Self:
        return cls(**row)


@dataclass(frozen=True, slots=True)
class OrganizationRecord(_Row):
    model: ClassVar[type[Model]] = Organization
    id: UUID
    kind: OrganizationKind
    status: OrganizationStatus
    parent_id: UUID | None
    short_name: str
    full_name: str
    erp_id: str | None
    registration_number: str | None
    tax_id: str | None
    currency: str | None
    industry: Industry | None
    created_at: datetime
    created_by: str | None
    created_by_org_id: UUID | None
    approved_at: datetime | None
    approved_by: str | None
    version: int

    def __post_init__(self) -> None:
        # `.values()` hands back raw column values on some backends; normalise to enums here.
        object.__setattr__(self, "kind", OrganizationKind(self.kind))
        object.__setattr__(self, "status", OrganizationStatus(self.status))
        if self.industry is not None:
            object.__setattr__(self, "industry", Industry(self.industry))


@dataclass(frozen=True, slots=True)
class AddressRecord(_Row):
    model: ClassVar[type[Model]] = Address
    organization_id: UUID
    country: str
    city: str
    state: str | None
    line1: str
    line2: str | None
    postal_code: str | None


@dataclass(frozen=True, slots=True)
class ContactRecord(_Row):
    model: ClassVar[type[Model]] = Contact
    organization_id: UUID
    first_name: str
    last_name: str
    role: str
    email: str
    phone: str


@dataclass(frozen=True, slots=True)
class StatusChangeRecord(_Row):
    model: ClassVar[type[Model]] = StatusChange
    id: UUID
    organization_id: UUID
    from_status: OrganizationStatus | None
    to_status: OrganizationStatus
    comment: str | None
    occurred_at: datetime
    actor_subject: str
    actor_org_id: UUID | None
    request_id: str | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "to_status", OrganizationStatus(self.to_status))
        if self.from_status is not None:
            object.__setattr__(self, "from_status", OrganizationStatus(self.from_status))
