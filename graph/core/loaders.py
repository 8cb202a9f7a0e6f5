"""Per-request DataLoaders: every nested field of a page loads in one query, not one per row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar
from uuid import UUID

from strawberry.dataloader import DataLoader

from resolvers import organizations
from resolvers.actors import Actor
from resolvers.records import OrganizationRecord, StatusChangeRecord
from resolvers.verification.state import VerificationRecord, load_verifications

V = TypeVar("V")


def _by_key(
    fetch: Callable[[Sequence[UUID]], Awaitable[dict[UUID, V]]], default: Callable[[], V | None]
) -> DataLoader[UUID, V | None]:
    async def load(keys: list[UUID]) -> list[V | None]:
        found = await fetch(keys)
        return [found.get(key, default()) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    def __init__(self, actor: Actor | None) -> None:
        self.address = _by_key(organizations.load_addresses, lambda: None)
        self.contact = _by_key(organizations.load_contacts, lambda: None)
        self.history: DataLoader[UUID, list[StatusChangeRecord] | None] = _by_key(
            organizations.load_history, list
        )
        self.tax_id_verification: DataLoader[UUID, VerificationRecord | None] = _by_key(
            load_verifications, lambda: None
        )
        self.organization: DataLoader[UUID, OrganizationRecord | None]
        self.status_change: DataLoader[UUID, StatusChangeRecord | None]
        if actor is not None:
            self.organization = _by_key(
                lambda ids: organizations.get_organizations(actor=actor, ids=ids), lambda: None
            )
            self.status_change = _by_key(
                lambda ids: organizations.get_status_changes(actor=actor, ids=ids), lambda: None
            )

    def prime_organizations(self, records: Sequence[OrganizationRecord]) -> None:
        for record in records:
            self.organization.prime(record.id, record)
