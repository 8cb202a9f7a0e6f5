"""Demo data for a first run: one distributor and two resellers, so tenancy can be tried at once."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from models import Organization, OrganizationKind, OrganizationStatus, StatusChange

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
    """The distributor and resellers, oldest first (the ones tokens are printed for)."""
    return await Organization.filter(
        kind__in=[OrganizationKind.DISTRIBUTOR, OrganizationKind.RESELLER]
    ).order_by("created_at", "kind")


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
    return org
