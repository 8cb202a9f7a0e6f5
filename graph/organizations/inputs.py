"""Mutation inputs, and their conversion into the resolvers' plain drafts."""

from __future__ import annotations

import strawberry

from graph.core.convert import convert
from graph.core.enums import Industry
from resolvers.validation import AddressDraft, ContactDraft, CustomerDraft


@strawberry.input(description="A postal address; the country decides which parts are required.")
class AddressInput:
    country: str = strawberry.field(description="ISO 3166-1 alpha-2 code, e.g. NL.")
    city: str = strawberry.field(description="City, e.g. Eindhoven.")
    state: str | None = strawberry.field(
        default=None, description="State/province; required where the country's format needs it."
    )
    line1: str = strawberry.field(description="Street and number, e.g. Hoevenweg 21.")
    line2: str | None = strawberry.field(default=None, description="Secondary address line.")
    postal_code: str | None = strawberry.field(
        default=None, description="Postal code, e.g. 5652AW; required where the country uses one."
    )


@strawberry.input(description="The customer's primary contact person.")
class ContactInput:
    first_name: str = strawberry.field(description="Given name, 1–50 characters.")
    last_name: str = strawberry.field(description="Family name, 1–50 characters.")
    role: str = strawberry.field(description="Job title, e.g. CEO.")
    email: str = strawberry.field(description="Email address.")
    phone: str = strawberry.field(
        description="Phone number; national numbers are read in the address country."
    )


@strawberry.input(description="The create-customer form.")
class CreateCustomerInput:
    reseller_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Reseller to create under; distributor users only (resellers use their own).",
    )
    idempotency_key: str | None = strawberry.field(
        default=None, description="Same key + same input = same result, never a second customer."
    )
    approve: bool = strawberry.field(
        default=False,
        description="Create and approve in one step (ACTIVE at once): needs APPROVE_CUSTOMER, "
        "refused (FORBIDDEN) when four eyes are required.",
    )
    short_name: str = strawberry.field(description="Name used in lists, 1–64 characters.")
    full_name: str = strawberry.field(description="Legal name, 2–255 characters.")
    erp_id: str = strawberry.field(description="Number in the reseller's bookkeeping.")
    registration_number: str = strawberry.field(
        description="Chamber-of-commerce number (NL KvK: 8 digits)."
    )
    tax_id: str = strawberry.field(description="VAT number, e.g. NL006486253B01.")
    currency: str = strawberry.field(description="ISO 4217 billing currency, e.g. EUR.")
    industry: Industry = strawberry.field(description="The customer's sector.")
    primary_address: AddressInput = strawberry.field(description="Primary address.")
    primary_contact: ContactInput = strawberry.field(description="Primary contact.")

    def to_draft(self) -> CustomerDraft:
        return CustomerDraft(
            short_name=self.short_name,
            full_name=self.full_name,
            erp_id=self.erp_id,
            registration_number=self.registration_number,
            tax_id=self.tax_id,
            currency=self.currency,
            industry=self.industry.value,
            primary_address=convert(self.primary_address, AddressDraft),
            primary_contact=convert(self.primary_contact, ContactDraft),
        )
