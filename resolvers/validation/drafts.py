"""Plain data carried in and out of validation: the form as typed, and the verdict.

Drafts are frozen so a normalized copy can never be mistaken for, or mutate, the input.
Every field is optional at this level: "missing" is a validation outcome, not a type error.
"""

from __future__ import annotations

from dataclasses import dataclass

from resolvers.errors import FieldError


@dataclass(frozen=True, slots=True)
class AddressDraft:
    country: str | None = None
    city: str | None = None
    state: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True, slots=True)
class ContactDraft:
    first_name: str | None = None
    last_name: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerDraft:
    short_name: str | None = None
    full_name: str | None = None
    erp_id: str | None = None
    registration_number: str | None = None
    tax_id: str | None = None
    currency: str | None = None
    # Already an enum value from the GraphQL layer; passed through untouched.
    industry: str | None = None
    primary_address: AddressDraft | None = None
    primary_contact: ContactDraft | None = None


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """`normalized` holds canonical values where a field passed, trimmed input where it
    failed and None where it was missing, so a form can be re-filled from it."""

    normalized: CustomerDraft
    errors: tuple[FieldError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors
