"""Who is calling: the person behind a verified token, and what their roles allow."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from uuid import UUID

from models import Organization, OrganizationKind
from resolvers import sql


class Role(StrEnum):
    VIEWER = "VIEWER"
    ACCOUNT_MANAGER = "ACCOUNT_MANAGER"
    ADMIN = "ADMIN"


class Permission(StrEnum):
    READ = "READ"
    CREATE_CUSTOMER = "CREATE_CUSTOMER"
    APPROVE_CUSTOMER = "APPROVE_CUSTOMER"
    REJECT_CUSTOMER = "REJECT_CUSTOMER"
    UPDATE_CUSTOMER = "UPDATE_CUSTOMER"
    # Registering webhook endpoints and reading their deliveries: ADMIN only.
    MANAGE_WEBHOOKS = "MANAGE_WEBHOOKS"


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.ACCOUNT_MANAGER: frozenset(
        {Permission.READ, Permission.CREATE_CUSTOMER, Permission.UPDATE_CUSTOMER}
    ),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """A verified caller acting inside one organization."""

    subject: str
    org_id: UUID
    org_kind: OrganizationKind
    # The organization's ancestors, nearest first; the tree is at most three levels deep.
    org_ancestors: tuple[UUID, ...]
    roles: frozenset[Role]
    # The token's own organization when the person acts in another one (X-Organization-ID);
    # None: the token's. Who a person is stays (subject, token organization) wherever they act.
    token_org_id: UUID | None = None

    @property
    def home_org_id(self) -> UUID:
        """The organization of the person's token: with the subject, who the person is."""
        return self.token_org_id or self.org_id

    @property
    def permissions(self) -> frozenset[Permission]:
        granted: set[Permission] = set()
        for role in self.roles:
            granted |= _GRANTS[role]
        # Customers' own users may read; creating and approving is their reseller's business.
        if self.org_kind is OrganizationKind.CUSTOMER:
            granted &= {Permission.READ}
        return frozenset(granted)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions


async def act_in(actor: Actor, org_id: UUID) -> Actor | None:
    """`actor` acting in `org_id`, which must be the token's organization or one of its
    descendants, with the token's roles; None otherwise (a missing organization and one
    outside the subtree look the same)."""
    if org_id == actor.org_id:
        return actor
    target = await load_actor(subject=actor.subject, org_id=org_id, roles=actor.roles)
    if target is None or actor.org_id not in target.org_ancestors:
        return None
    return replace(target, token_org_id=actor.org_id)


def parse_roles(raw: object) -> frozenset[Role]:
    """Roles from a token claim; unknown names are ignored rather than trusted."""
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list | tuple):
        return frozenset()
    return frozenset(Role(r) for r in raw if isinstance(r, str) and r in Role.__members__)


_ACTOR_SQL = """
SELECT "o"."id", "o"."kind", "o"."parent_id", "p"."parent_id" AS "grandparent_id"
FROM "organization" "o" LEFT JOIN "organization" "p" ON "p"."id" = "o"."parent_id"
WHERE "o"."id" = $1
"""
_decode_actor = sql.decoder(
    Organization, ("id", "kind", "parent_id", "grandparent_id"), grandparent_id="parent_id"
)


class _Places:
    """Where organizations sit in the tree (kind and ancestors), remembered per process.

    Sound because those facts never change once written: nothing in the product moves an
    organization to another parent, changes its kind or deletes it (archiving keeps the row;
    its status is not part of an Actor and is read where it matters). So a hit needs no
    statement, and the compiled read path answers with one round trip instead of two. Only
    organizations that exist are remembered; the size is bounded (oldest out first).
    """

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._places: dict[UUID, tuple[OrganizationKind, tuple[UUID, ...]]] = {}

    def get(self, org_id: UUID) -> tuple[OrganizationKind, tuple[UUID, ...]] | None:
        return self._places.get(org_id)

    def put(self, org_id: UUID, place: tuple[OrganizationKind, tuple[UUID, ...]]) -> None:
        if len(self._places) >= self.size:
            del self._places[next(iter(self._places))]
        self._places[org_id] = place


PLACES = _Places()


async def load_actor(*, subject: str, org_id: UUID, roles: frozenset[Role]) -> Actor | None:
    """The actor for verified claims, or None when the organization does not exist.

    On every authenticated request, so hand-written (`resolvers.sql`) and remembered
    (`PLACES`): the tree is at most three levels deep, so the parent and grandparent are all
    the ancestors there are.
    """
    place = PLACES.get(org_id)
    if place is None:
        rows = await sql.fetch(_ACTOR_SQL, org_id)
        if not rows:
            return None
        org = _decode_actor(rows[0])
        ancestors = tuple(a for a in (org["parent_id"], org["grandparent_id"]) if a is not None)
        place = (org["kind"], ancestors)
        PLACES.put(org_id, place)
    kind, ancestors = place
    return Actor(
        subject=subject, org_id=org_id, org_kind=kind, org_ancestors=ancestors, roles=roles
    )
