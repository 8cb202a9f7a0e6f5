"""Pure validation and normalization of the create-customer form.

No I/O, no database, no GraphQL: plain functions over frozen dataclasses, so the same rules
serve `createCustomer`, the `validateCustomer` dry run and tests. Errors use API field paths
(camelCase tuples) and the stable codes of `resolvers.errors.ErrorCode`.
"""

from .address import format_address
from .catalog import CountryInfo, country_catalog
from .contact import format_phone
from .currency import CurrencyInfo, currency_catalog
from .customer import FORM_ORDER, validate_customer
from .drafts import AddressDraft, ContactDraft, CustomerDraft, ValidationResult
from .subdivisions import Subdivision

__all__ = [
    "FORM_ORDER",
    "AddressDraft",
    "ContactDraft",
    "CountryInfo",
    "CurrencyInfo",
    "CustomerDraft",
    "Subdivision",
    "ValidationResult",
    "country_catalog",
    "currency_catalog",
    "format_address",
    "format_phone",
    "validate_customer",
]
