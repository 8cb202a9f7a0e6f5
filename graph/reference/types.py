"""The reference data types: countries with what their addresses need, and currencies."""

from __future__ import annotations

import strawberry


@strawberry.type(description="A subdivision (state, province) from the country's official list.")
class Subdivision:
    code: str = strawberry.field(description="The code to send as `state`, e.g. CA.")
    name: str = strawberry.field(description="Its name, e.g. California.")


@strawberry.type(description="A country and what its addresses need.")
class Country:
    code: str = strawberry.field(description="ISO 3166-1 alpha-2 code.")
    name: str = strawberry.field(description="English name.")
    required_fields: list[str] = strawberry.field(
        description="Address fields this country requires (line1, city, state, postalCode)."
    )
    postal_code_example: str | None = strawberry.field(description="An example postal code.")
    postal_code_required: bool = strawberry.field(description="Whether a postal code is needed.")
    subdivisions: list[Subdivision] = strawberry.field(
        description="Allowed values for `state`, where the country has an official list."
    )


@strawberry.type(description="A billing currency the platform supports.")
class Currency:
    code: str = strawberry.field(description="ISO 4217 code, e.g. EUR.")
    name: str = strawberry.field(description="English name, e.g. Euro.")
