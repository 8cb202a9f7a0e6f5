"""Demo data for a first run: one distributor and two resellers, so tenancy can be tried at once."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from models import (
    AuditAction,
    AuditEntry,
    Organization,
    OrganizationKind,
    OrganizationStatus,
    StatusChange,
)

DISTRIBUTOR = "Demo Distributor"
RESELLERS = ("Northwind Reseller", "Contoso Reseller")


async def seed_demo() -> bool:
    """Create the demo tree on an empty database; returns whether anything was created."""
    if await Organization.exists():
        return False
    now = datetime.now(UTC)
    async with in_transaction():
        distributor = await _organization(DISTRIBUTOR, OrganizationKind.DISTRIBUTOR, None, now)
        for name in RESELLERS:
            await _organization(name, OrganizationKind.RESELLER, distributor, now)
    return True


async def demo_organizations() -> list[Organization]:
    """The distributor and resellers, oldest first (the ones tokens are printed for); the
    demo's resellers share a creation time, so they come in the seed's order."""
    found = await Organization.filter(
        kind__in=[OrganizationKind.DISTRIBUTOR, OrganizationKind.RESELLER]
    ).order_by("created_at", "kind")
    seeded = {name: n for n, name in enumerate(RESELLERS)}
    return sorted(
        found, key=lambda o: (o.created_at, o.kind, seeded.get(o.short_name, len(seeded)))
    )


def demo_people(
    organizations: list[Organization],
) -> list[tuple[Organization, list[tuple[str, str]]]]:
    """Who gets a printed token, and what they do in the demo: each organization's admin,
    and in the first reseller a second person who approves, so that four eyes
    (PORTAL_FOUR_EYES=true: a creator may not approve their own customer) can be tried."""
    people = []
    for org in organizations:
        slug = org.short_name.lower().replace(" ", "-")
        if org.kind is OrganizationKind.DISTRIBUTOR:
            roles = [(f"admin@{slug}", "sees every reseller and customer; approves any")]
        elif org.short_name == RESELLERS[0]:
            roles = [
                (f"admin@{slug}", "creates customers (and may approve them)"),
                (f"approver@{slug}", "a second person: approves what admin@ created"),
            ]
        else:
            roles = [(f"admin@{slug}", "another reseller: sees none of the first one's")]
        people.append((org, roles))
    return people


async def _organization(
    name: str, kind: OrganizationKind, parent: Organization | None, now: datetime
) -> Organization:
    org = await Organization.create(
        kind=kind,
        status=OrganizationStatus.ACTIVE,
        parent=parent,
        short_name=name,
        full_name=f"{name} B.V.",
        created_at=now,
        created_by="portal seed",
        updated_at=now,
    )
    await StatusChange.create(
        organization_id=org.id,
        to_status=OrganizationStatus.ACTIVE,
        occurred_at=now,
        actor_subject="portal seed",
    )
    # Creation is every audit log's first entry, the demo's too; the seed is the system.
    await AuditEntry.create(
        organization_id=org.id,
        action=AuditAction.CREATED,
        version=1,
        occurred_at=now,
        to_status=OrganizationStatus.ACTIVE,
    )
    return org
