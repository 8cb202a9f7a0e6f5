"""Demo data for a first run: one distributor and two resellers, so tenancy can be tried at once.

Written with the rows the API writes (`resolvers.rows`, `resolvers.audit.status_rows`), so
the demo tree has the same history, audit entries and events as data made through it; the
seed acts as "portal seed" of the distributor.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from models import Organization, OrganizationKind, OrganizationStatus
from resolvers import audit, rows, sql
from resolvers.actors import Actor

DISTRIBUTOR = "Demo Distributor"
RESELLERS = ("Northwind Reseller", "Contoso Reseller")
SEED_SUBJECT = "portal seed"


async def seed_demo() -> bool:
    """Create the demo tree on an empty database; returns whether anything was created."""
    if await Organization.exists():
        return False
    now = datetime.now(UTC)
    distributor = uuid4()
    seed = Actor(
        subject=SEED_SUBJECT,
        org_id=distributor,
        org_kind=OrganizationKind.DISTRIBUTOR,
        org_ancestors=(),
        roles=frozenset(),
    )
    written = _organization(distributor, DISTRIBUTOR, OrganizationKind.DISTRIBUTOR, None, seed, now)
    for name in RESELLERS:
        written += _organization(uuid4(), name, OrganizationKind.RESELLER, distributor, seed, now)
    await sql.write(*written)  # all or nothing
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


def _organization(
    id: UUID,
    name: str,
    kind: OrganizationKind,
    parent_id: UUID | None,
    seed: Actor,
    now: datetime,
) -> list[sql.Row]:
    """An ACTIVE organization, its creation in the history and the audit log (with its event)."""
    return [
        rows.organization_row(
            id=id,
            kind=kind,
            status=OrganizationStatus.ACTIVE,
            parent_id=parent_id,
            short_name=name,
            full_name=f"{name} B.V.",
            actor=seed,
            now=now,
        ),
        *audit.status_rows(
            organization_id=id,
            version=1,
            from_status=None,
            to_status=OrganizationStatus.ACTIVE,
            comment=None,
            actor=seed,
            now=now,
            request_id=None,
        ),
    ]
