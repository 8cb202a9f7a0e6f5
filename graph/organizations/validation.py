"""The answer of `validateCustomer`: every problem, plus the form as it would be stored."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TypeVar

import strawberry

from graph.core.convert import convert
from graph.core.enums import Industry
from graph.core.errors import UserError, user_errors
from resolvers.errors import DomainError, FieldError
from resolvers.validation import AddressDraft, ContactDraft, CustomerDraft

_N = "Normalized value; the input as typed (trimmed) where it has a problem."

T = TypeVar("T")


def _mirrors(draft: type, *, description: str) -> Callable[[type[T]], type[T]]:
    """The type of a draft (resolvers/validation/drafts.py) as validateCustomer answers it:
    the draft's fields in the draft's order, each a string described as `_N`, so a field
    added to the form appears here without being written again. (Read through `convert`.)"""

    def build(cls: type[T]) -> type[T]:
        for f in dataclasses.fields(draft):
            if f.type not in ("str | None", str | None):
                raise TypeError(f"{draft.__name__}.{f.name} is not text: write the type out")
            setattr(cls, f.name, strawberry.field(description=_N))
        cls.__annotations__ = {f.name: "str | None" for f in dataclasses.fields(draft)}
        return strawberry.type(cls, description=description)

    return build


@_mirrors(AddressDraft, description="A normalized address.")
class NormalizedAddress:
    pass


@_mirrors(ContactDraft, description="A normalized contact.")
class NormalizedContact:
    pass


# Written out: half its fields are not strings, and `build` below names each one.
@strawberry.type(description="The create-customer form as it would be stored.")
class NormalizedCustomer:
    short_name: str | None = strawberry.field(description=_N)
    full_name: str | None = strawberry.field(description=_N)
    erp_id: str | None = strawberry.field(description=_N)
    registration_number: str | None = strawberry.field(description=_N)
    tax_id: str | None = strawberry.field(description=_N)
    currency: str | None = strawberry.field(description=_N)
    industry: Industry | None = strawberry.field(description=_N)
    primary_address: NormalizedAddress | None = strawberry.field(description="Primary address.")
    primary_contact: NormalizedContact | None = strawberry.field(description="Primary contact.")


@strawberry.type(description="Result of a dry run of createCustomer; nothing is written.")
class CustomerValidation:
    valid: bool = strawberry.field(description="True when createCustomer would accept the form.")
    errors: list[UserError] = strawberry.field(description="Every problem, with its field path.")
    normalized: NormalizedCustomer | None = strawberry.field(
        description="The values as they would be stored."
    )

    @classmethod
    def build(cls, draft: CustomerDraft, errors: Sequence[FieldError]) -> CustomerValidation:
        a, c = draft.primary_address, draft.primary_contact
        return cls(
            valid=not errors,
            errors=user_errors(DomainError(errors)),
            normalized=NormalizedCustomer(
                short_name=draft.short_name,
                full_name=draft.full_name,
                erp_id=draft.erp_id,
                registration_number=draft.registration_number,
                tax_id=draft.tax_id,
                currency=draft.currency,
                industry=Industry(draft.industry) if draft.industry else None,
                primary_address=convert(a, NormalizedAddress) if a else None,
                primary_contact=convert(c, NormalizedContact) if c else None,
            ),
        )

    @classmethod
    def refused(cls, error: DomainError) -> CustomerValidation:
        return cls(valid=False, errors=user_errors(error), normalized=None)
