"""Reference reads: countries with what their addresses require, and the currencies."""

from __future__ import annotations

import strawberry

from graph.core.context import Info
from graph.reference.types import Country, Currency, Subdivision
from resolvers.validation import country_catalog, currency_catalog


@strawberry.type
class ReferenceQueries:
    @strawberry.field(description="Every country with what its addresses require.")
    def countries(self, info: Info) -> list[Country]:
        info.context.require_actor()
        return [
            Country(
                code=c.code,
                name=c.name,
                required_fields=list(c.required_fields),
                postal_code_example=c.postal_code_example,
                postal_code_required=c.postal_code_required,
                subdivisions=[Subdivision(code=s.code, name=s.name) for s in c.subdivisions],
            )
            for c in country_catalog()
        ]

    @strawberry.field(description="The billing currencies the platform supports.")
    def currencies(self, info: Info) -> list[Currency]:
        info.context.require_actor()
        return [
            Currency(code=c.code, name=c.name)
            for c in currency_catalog(info.context.settings.currencies)
        ]
