"""Filter, sort and paging inputs in the grammar stock admin data providers send.

refine's GraphQL data provider and nestjs-query clients send `filter: {field: {eq ...}}`,
`sorting: [{field, direction}]` and `paging: {limit, offset}` without any mapping code.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry
from strawberry import UNSET

from graph.core.enums import OrganizationKind, OrganizationStatus
from graph.core.errors import BadUserInput
from graph.execution.compiled.statements import ListGrammar, use_list_grammar
from resolvers import global_id
from resolvers.listing import Comparison, Filter, Sort

_D = {
    "eq": "Equal to.",
    "neq": "Not equal to (as in SQL, rows where the field is empty do not match; add `is: null`).",
    "in": "One of.",
    "notIn": "None of.",
    "iLike": "Pattern, ignoring case: `%text%` contains, `text%` starts with, `%text` ends with, "
    "`text` equals; `%` inside the text and `_` match themselves.",
    "notILike": "Does not match the LIKE pattern, ignoring case.",
    "like": "Like `iLike`, but case-sensitive.",
    "notLike": "Does not match the LIKE pattern, case-sensitive.",
    "is": "`null`: the field is empty.",
    "isNot": "`null`: the field is set.",
}


@strawberry.input(description="Conditions on an ID; all given must hold.")
class IDFilterComparison:
    eq: strawberry.ID | None = strawberry.field(default=None, description=_D["eq"])
    neq: strawberry.ID | None = strawberry.field(default=None, description=_D["neq"])
    in_: list[strawberry.ID] | None = strawberry.field(
        name="in", default=None, description=_D["in"]
    )
    not_in: list[strawberry.ID] | None = strawberry.field(default=None, description=_D["notIn"])
    # UNSET tells "not sent" from an explicit null, which is what `is`/`isNot` are about.
    is_: bool | None = strawberry.field(name="is", default=strawberry.UNSET, description=_D["is"])
    is_not: bool | None = strawberry.field(default=strawberry.UNSET, description=_D["isNot"])


@strawberry.input(description="Conditions on a text field; all given must hold.")
class StringFieldComparison:
    eq: str | None = strawberry.field(default=None, description=_D["eq"])
    neq: str | None = strawberry.field(default=None, description=_D["neq"])
    in_: list[str] | None = strawberry.field(name="in", default=None, description=_D["in"])
    not_in: list[str] | None = strawberry.field(default=None, description=_D["notIn"])
    i_like: str | None = strawberry.field(default=None, description=_D["iLike"])
    not_i_like: str | None = strawberry.field(default=None, description=_D["notILike"])
    like: str | None = strawberry.field(default=None, description=_D["like"])
    not_like: str | None = strawberry.field(default=None, description=_D["notLike"])
    is_: bool | None = strawberry.field(name="is", default=strawberry.UNSET, description=_D["is"])
    is_not: bool | None = strawberry.field(default=strawberry.UNSET, description=_D["isNot"])


@strawberry.input(description="Conditions on an organization status; all given must hold.")
class OrganizationStatusFilterComparison:
    eq: OrganizationStatus | None = strawberry.field(default=None, description=_D["eq"])
    neq: OrganizationStatus | None = strawberry.field(default=None, description=_D["neq"])
    in_: list[OrganizationStatus] | None = strawberry.field(
        name="in", default=None, description=_D["in"]
    )
    not_in: list[OrganizationStatus] | None = strawberry.field(
        default=None, description=_D["notIn"]
    )


@strawberry.input(description="Conditions on an organization kind; all given must hold.")
class OrganizationKindFilterComparison:
    eq: OrganizationKind | None = strawberry.field(default=None, description=_D["eq"])
    neq: OrganizationKind | None = strawberry.field(default=None, description=_D["neq"])
    in_: list[OrganizationKind] | None = strawberry.field(
        name="in", default=None, description=_D["in"]
    )
    not_in: list[OrganizationKind] | None = strawberry.field(default=None, description=_D["notIn"])


@strawberry.input(description="An inclusive range of timestamps.")
class DateFieldComparisonBetween:
    lower: datetime = strawberry.field(description="From (inclusive).")
    upper: datetime = strawberry.field(description="To (inclusive).")


@strawberry.input(description="Conditions on a timestamp; all given must hold.")
class DateFieldComparison:
    lt: datetime | None = strawberry.field(default=None, description="Before.")
    lte: datetime | None = strawberry.field(default=None, description="At or before.")
    gt: datetime | None = strawberry.field(default=None, description="After.")
    gte: datetime | None = strawberry.field(default=None, description="At or after.")
    between: DateFieldComparisonBetween | None = strawberry.field(
        default=None, description="Within an inclusive range."
    )
    not_between: DateFieldComparisonBetween | None = strawberry.field(
        default=None, description="Outside an inclusive range."
    )


@strawberry.input(description="Which organizations to list; all given conditions must hold.")
class OrganizationFilter:
    and_: list[OrganizationFilter] | None = strawberry.field(
        name="and", default=None, description="All of these filters."
    )
    or_: list[OrganizationFilter] | None = strawberry.field(
        name="or", default=None, description="Any of these filters."
    )
    id: IDFilterComparison | None = strawberry.field(default=None, description="Global ID.")
    status: OrganizationStatusFilterComparison | None = strawberry.field(
        default=None, description="Lifecycle status."
    )
    kind: OrganizationKindFilterComparison | None = strawberry.field(
        default=None, description="Kind of organization."
    )
    parent_id: IDFilterComparison | None = strawberry.field(
        default=None, description="Global ID of the parent organization."
    )
    short_name: StringFieldComparison | None = strawberry.field(
        default=None, description="Short name."
    )
    full_name: StringFieldComparison | None = strawberry.field(
        default=None, description="Legal name."
    )
    erp_id: StringFieldComparison | None = strawberry.field(default=None, description="ERP ID.")
    tax_id: StringFieldComparison | None = strawberry.field(
        default=None, description="VAT number (canonical form)."
    )
    registration_number: StringFieldComparison | None = strawberry.field(
        default=None, description="Registration number (compact)."
    )
    created_at: DateFieldComparison | None = strawberry.field(
        default=None, description="Creation time."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Free text over short and full name, ERP ID, tax and registration number.",
    )


@strawberry.enum(description="Fields organizations can be sorted by (the field names).")
class OrganizationSortFields(Enum):
    # The contract wants the GraphQL values to be the field names themselves (refine sends
    # `field: "shortName"`); the Python values are the model's column names.
    shortName = "short_name"
    fullName = "full_name"
    erpId = "erp_id"
    status = "status"
    createdAt = "created_at"


@strawberry.enum(description="Sort direction.")
class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(description="One sort key; creation order always breaks remaining ties.")
class OrganizationSort:
    field: OrganizationSortFields = strawberry.field(description="Field to sort by.")
    direction: SortDirection = strawberry.field(
        default=SortDirection.ASC, description="ASC or DESC."
    )


@strawberry.input(description="Offset paging for admin grids; limit is clamped to the page cap.")
class OffsetPaging:
    limit: int | None = strawberry.field(default=None, description="Rows per page (max 100).")
    offset: int | None = strawberry.field(default=None, description="Rows to skip.")


_ID_FIELDS = {"id": "id", "parent_id": "parent_id"}
_PLAIN_FIELDS = {
    "status": "status",
    "kind": "kind",
    "short_name": "short_name",
    "full_name": "full_name",
    "erp_id": "erp_id",
    "tax_id": "tax_id",
    "registration_number": "registration_number",
    "created_at": "created_at",
}


def to_filter(value: OrganizationFilter | None, *, drop_status: bool = False) -> Filter | None:
    """The domain filter; `drop_status` removes a top-level status condition (for tab counts)."""
    if value is None:
        return None
    comparisons: dict[str, Comparison] = {}
    for name, column in _ID_FIELDS.items():
        cmp = getattr(value, name)
        if cmp is not None:
            comparisons[column] = _id_comparison(cmp)
    for name, column in _PLAIN_FIELDS.items():
        cmp = getattr(value, name)
        if cmp is not None and not (drop_status and name == "status"):
            comparisons[column] = _comparison(cmp)
    return Filter(
        fields=comparisons,
        search=value.search,
        and_=[f for f in map(to_filter, value.and_ or []) if f is not None],
        or_=[f for f in map(to_filter, value.or_ or []) if f is not None],
    )


def to_sorting(value: list[OrganizationSort] | None) -> list[Sort]:
    return [Sort(s.field.value, s.direction is SortDirection.DESC) for s in value or []]


def _comparison(cmp: Any) -> Comparison:
    between = getattr(cmp, "between", None)
    not_between = getattr(cmp, "not_between", None)
    return Comparison(
        eq=getattr(cmp, "eq", None),
        neq=getattr(cmp, "neq", None),
        in_=getattr(cmp, "in_", None),
        not_in=getattr(cmp, "not_in", None),
        i_like=getattr(cmp, "i_like", None),
        not_i_like=getattr(cmp, "not_i_like", None),
        like=getattr(cmp, "like", None),
        not_like=getattr(cmp, "not_like", None),
        lt=getattr(cmp, "lt", None),
        lte=getattr(cmp, "lte", None),
        gt=getattr(cmp, "gt", None),
        gte=getattr(cmp, "gte", None),
        between=(between.lower, between.upper) if between else None,
        not_between=(not_between.lower, not_between.upper) if not_between else None,
        is_null=_is_null(cmp),
    )


def _is_null(cmp: Any) -> bool | None:
    """`is: null` → IS NULL, `isNot: null` → IS NOT NULL (nestjs-query's grammar)."""
    is_, is_not = getattr(cmp, "is_", UNSET), getattr(cmp, "is_not", UNSET)
    for value in (is_, is_not):
        if value is not UNSET and value is not None:
            raise BadUserInput("`is` and `isNot` take only null on this field.")
    if is_ is None and is_not is None:
        raise BadUserInput("`is: null` and `isNot: null` contradict each other.")
    if is_ is None:
        return True
    if is_not is None:
        return False
    return None


# Random UUIDs are version 4, so the nil UUID never names a row.
_NO_MATCH = UUID(int=0)


def _uuid(value: str) -> UUID:
    # An ID that is not ours matches nothing, exactly like an ID that does not exist.
    return global_id.decode_uuid(value, "Organization") or _NO_MATCH


def _id_comparison(cmp: IDFilterComparison) -> Comparison:
    return Comparison(
        eq=_uuid(cmp.eq) if cmp.eq is not None else None,
        neq=_uuid(cmp.neq) if cmp.neq is not None else None,
        in_=[_uuid(v) for v in cmp.in_] if cmp.in_ is not None else None,
        not_in=[_uuid(v) for v in cmp.not_in] if cmp.not_in is not None else None,
        is_null=_is_null(cmp),
    )


# The compiled read path converts list arguments exactly as the resolver does.
use_list_grammar(ListGrammar(to_filter=to_filter, to_sorting=to_sorting))
