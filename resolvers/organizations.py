"""Reading organizations: lookups, lists and counts, always within what the actor may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from uuid import UUID

from tortoise.expressions import Q, RawSQL, Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from models import Organization, OrganizationKind, OrganizationStatus, StatusChange
from resolvers import sql
from resolvers.actors import Actor
from resolvers.listing import Comparison, Filter, Sort, Window, to_q
from resolvers.records import (
    AddressRecord,
    ContactRecord,
    OrganizationRecord,
    StatusChangeRecord,
)
from resolvers.tenancy import visible, visible_sql

SORTABLE = frozenset({"short_name", "full_name", "erp_id", "status", "created_at"})
# Names sort as people read them: "alpha, Bravo, charlie", not "Bravo, alpha, charlie".
# PostgreSQL uses ICU's root collation, case-insensitive and accent-aware ("Émile" next to
# "Emile"); SQLite's NOCASE folds ASCII letters only. Migration 0003 builds the indexes these
# expressions match (organization_short_name_sort, organization_full_name_sort).
NAME_FIELDS = frozenset({"short_name", "full_name"})
NAME_COLLATION = {"postgres": '"und-x-icu"', "sqlite": "NOCASE"}
# Creation order, then the ID, breaks every tie, so pages never overlap or skip rows.
TIE_BREAKS: tuple[tuple[str, bool], ...] = (("created_at", False), ("id", False))


def sort_expression(field: str, dialect: str, table: str = '"organization"') -> str:
    """The ORDER BY term for `field`: names collated, everything else as stored. Hand-written
    SQL that orders organizations (the compiled read path) uses it too, so both agree."""
    column = f'{table}."{field}"'
    return f"{column} COLLATE {NAME_COLLATION[dialect]}" if field in NAME_FIELDS else column


def order(sorting: Sequence[Sort]) -> list[tuple[str, bool]]:
    """(field, descending) for the sorts asked for, then the tie-breaks."""
    for sort in sorting:
        if sort.field not in SORTABLE:
            raise ValueError(f"cannot sort by {sort.field}")
    return [(s.field, s.descending) for s in sorting] + list(TIE_BREAKS)


def ordered(
    query: QuerySet[Organization], by: Sequence[tuple[str, bool]], dialect: str
) -> QuerySet[Organization]:
    """`query` in the order `by` gives, names sorted as people read them."""
    terms: list[str] = []
    for position, (field, descending) in enumerate(by):
        key = field
        if field in NAME_FIELDS:
            key = f"_sort_{position}"
            query = query.annotate(**{key: RawSQL(sort_expression(field, dialect))})
        terms.append(f"-{key}" if descending else key)
    return query.order_by(*terms)


def names_archived(filter_: Filter | None) -> bool:
    """Whether the filter names ARCHIVED (`status: {eq: ARCHIVED}` or in an `in` list),
    anywhere in it: lists and counts leave archived customers out unless asked for them."""
    if filter_ is None:
        return False
    status = filter_.fields.get("status")
    if status is not None and (
        status.eq == OrganizationStatus.ARCHIVED
        or OrganizationStatus.ARCHIVED in (status.in_ or ())
    ):
        return True
    return any(names_archived(f) for f in (*filter_.and_, *filter_.or_))


def scoped(
    actor: Actor, filter_: Filter | None = None, *, archived: bool | None = None
) -> QuerySet[Organization]:
    """Visible organizations matching `filter_`; ARCHIVED ones only when `archived` (by
    default: when the filter names that status)."""
    query = Organization.filter(visible(actor))
    if not (names_archived(filter_) if archived is None else archived):
        query = query.exclude(status=OrganizationStatus.ARCHIVED)
    return query.filter(to_q(filter_)) if filter_ else query


def switchable(person: Actor, *, search: str | None, kind: OrganizationKind | None) -> Filter:
    """What a person may switch into (X-Organization-ID): the token's organization and its
    descendants, never its ancestors or an archived customer."""
    fields = {"status": Comparison(neq=OrganizationStatus.ARCHIVED)}
    if kind is not None:
        fields["kind"] = Comparison(eq=kind)
    subtree: tuple[Filter, ...] = ()
    if person.org_kind is not OrganizationKind.DISTRIBUTOR:  # the distributor's is everything
        subtree = (
            Filter(fields={"id": Comparison(eq=person.org_id)}),
            Filter(fields={"parent_id": Comparison(eq=person.org_id)}),
        )
    return Filter(fields=fields, search=search, or_=subtree)


async def get_organizations(*, actor: Actor, ids: Iterable[UUID]) -> dict[UUID, OrganizationRecord]:
    """The visible ones among `ids`; a missing and an invisible ID look the same.

    Hand-written (`resolvers.sql`): every lookup by ID, mutations' included, comes here."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    visible_to, scope = visible_sql(actor, len(wanted) + 1)
    rows = await sql.fetch(
        f'SELECT {_SELECT_ORG} FROM "organization" WHERE "id" IN ({_params(len(wanted))}) '
        f"AND {visible_to}",
        *wanted,
        *scope,
    )
    records = (OrganizationRecord.from_raw(row) for row in rows)
    return {record.id: record for record in records}


def _params(n: int) -> str:
    return ", ".join(f"${i}" for i in range(1, n + 1))


async def get_organization(*, actor: Actor, id: UUID) -> OrganizationRecord | None:
    return (await get_organizations(actor=actor, ids=[id])).get(id)


@dataclass(frozen=True, slots=True)
class Listing:
    """A page of organizations and, when asked for, their address and contact (None: has none)."""

    organizations: list[OrganizationRecord]
    addresses: dict[UUID, AddressRecord | None] | None = None
    contacts: dict[UUID, ContactRecord | None] | None = None


# Address and contact ride along in the page's own statement (LEFT JOINs on one-to-one
# relations), so a page costs one statement whatever its size or selection.
_ORG_COLUMNS = OrganizationRecord.columns()
_SELECT_ORG = sql.columns(_ORG_COLUMNS)
_ADDRESS_COLUMNS = {f"address__{c}": c for c in AddressRecord.columns()}
_CONTACT_COLUMNS = {f"contact__{c}": c for c in ContactRecord.columns()}


async def list_organizations(
    *,
    actor: Actor,
    filter: Filter | None,
    sorting: Sequence[Sort],
    window: Window,
    with_address: bool = False,
    with_contact: bool = False,
) -> Listing:
    dialect = sql.client().capabilities.dialect
    query = ordered(scoped(actor, filter), order(sorting), dialect)
    columns = [
        *_ORG_COLUMNS,
        *(_ADDRESS_COLUMNS if with_address else ()),
        *(_CONTACT_COLUMNS if with_contact else ()),
    ]
    rows = await query.offset(window.offset).limit(window.limit).values(*columns)
    listing = Listing(
        [OrganizationRecord.from_row({c: row[c] for c in _ORG_COLUMNS}) for row in rows]
    )
    if with_address:
        listing = replace(listing, addresses=_related(rows, _ADDRESS_COLUMNS, AddressRecord))
    if with_contact:
        listing = replace(listing, contacts=_related(rows, _CONTACT_COLUMNS, ContactRecord))
    return listing


async def scan_organizations(
    *, actor: Actor, filter: Filter | None, batch: int = 500
) -> AsyncIterator[Listing]:
    """Every visible organization matching `filter` in creation order, with address and
    contact, one batch at a time: keyset paging on (created_at, id), so each batch costs the
    same and memory holds one batch whatever the total (the CSV export streams this)."""
    columns = [*_ORG_COLUMNS, *_ADDRESS_COLUMNS, *_CONTACT_COLUMNS]
    query = scoped(actor, filter)
    while True:
        rows = await query.order_by("created_at", "id").limit(batch).values(*columns)
        if not rows:
            return
        yield Listing(
            [OrganizationRecord.from_row({c: row[c] for c in _ORG_COLUMNS}) for row in rows],
            addresses=_related(rows, _ADDRESS_COLUMNS, AddressRecord),
            contacts=_related(rows, _CONTACT_COLUMNS, ContactRecord),
        )
        if len(rows) < batch:
            return
        last_at, last_id = rows[-1]["created_at"], rows[-1]["id"]
        after = Q(created_at__gt=last_at) | Q(created_at=last_at, id__gt=last_id)
        query = scoped(actor, filter).filter(after)


R = TypeVar("R", AddressRecord, ContactRecord)


def _related(
    rows: list[dict[str, Any]], columns: dict[str, str], record: type[R]
) -> dict[UUID, R | None]:
    found: dict[UUID, R | None] = {}
    for row in rows:
        values = {name: row[key] for key, name in columns.items()}
        found[row["id"]] = None if values["organization_id"] is None else record.from_row(values)
    return found


async def count_organizations(*, actor: Actor, filter: Filter | None) -> int:
    return await scoped(actor, filter).count()


async def count_by_status(
    *, actor: Actor, filter: Filter | None, archived: bool | None = None
) -> dict[OrganizationStatus, int]:
    """Matches per status; `archived` as for `scoped` (the tabs of a list that shows
    archived customers count them)."""
    rows = (
        await scoped(actor, filter, archived=archived)
        .annotate(n=Count("id"))
        .group_by("status")
        .values("status", "n")
    )
    counts = dict.fromkeys(OrganizationStatus, 0)
    for row in rows:
        counts[OrganizationStatus(row["status"])] = row["n"]
    return counts


async def load_addresses(org_ids: Sequence[UUID]) -> dict[UUID, AddressRecord]:
    return await _by_organization("address", AddressRecord, org_ids)


async def load_contacts(org_ids: Sequence[UUID]) -> dict[UUID, ContactRecord]:
    return await _by_organization("contact", ContactRecord, org_ids)


async def _by_organization(table: str, record: type[R], org_ids: Sequence[UUID]) -> dict[UUID, R]:
    if not org_ids:
        return {}
    names = record.columns()
    rows = await sql.fetch(
        f'SELECT {sql.columns(names)} FROM "{table}" '
        f'WHERE "organization_id" IN ({_params(len(org_ids))})',
        *org_ids,
    )
    found = (record.from_raw(row) for row in rows)
    return {r.organization_id: r for r in found}


async def load_history(org_ids: Sequence[UUID]) -> dict[UUID, list[StatusChangeRecord]]:
    rows = (
        await StatusChange.filter(organization_id__in=list(org_ids))
        .order_by("occurred_at", "id")
        .values(*StatusChangeRecord.columns())
    )
    history: dict[UUID, list[StatusChangeRecord]] = defaultdict(list)
    for row in rows:
        history[row["organization_id"]].append(StatusChangeRecord.from_row(row))
    return history


async def get_status_changes(
    *, actor: Actor, ids: Iterable[UUID]
) -> dict[UUID, StatusChangeRecord]:
    """Status changes by ID, only for organizations the actor may see."""
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await StatusChange.filter(
        id__in=wanted, organization_id__in=Subquery(scoped(actor, archived=True).values("id"))
    ).values(*StatusChangeRecord.columns())
    return {row["id"]: StatusChangeRecord.from_row(row) for row in rows}
