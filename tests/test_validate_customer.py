"""validateCustomer (the dry run) and the reference data forms are built from."""

from __future__ import annotations

from models import Organization, OrganizationKind
from tests.api import Api
from tests.builders import customer_input
from tests.queries import CREATE, VALIDATE


async def test_a_valid_form_comes_back_normalized_and_nothing_is_written(api: Api) -> None:
    token = api.token(api.world.reseller, "ACCOUNT_MANAGER")
    form = customer_input(taxId="nl 0064.86.253.b01", address={"postalCode": "5652aw"})
    result = (await api.gql(VALIDATE, {"input": form}, token=token)).data["validateCustomer"]
    assert result["valid"] is True and result["errors"] == []
    assert result["normalized"] == {
        "taxId": "NL006486253B01",
        "registrationNumber": "17048595",
        "primaryAddress": {"postalCode": "5652 AW"},
        "primaryContact": {"phone": "+31402506000", "email": "Jan@copaco.nl"},
    }
    assert await Organization.filter(kind=OrganizationKind.CUSTOMER).count() == 0


async def test_the_dry_run_reports_what_create_would(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    await api.gql(CREATE, {"input": customer_input()}, token=token)
    form = customer_input(erpId="123", contact={"phone": "12"})
    result = (await api.gql(VALIDATE, {"input": form}, token=token)).data["validateCustomer"]
    assert result["valid"] is False
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        (["primaryContact", "phone"], "INVALID_PHONE")
    ]
    # Once the form itself is right, the duplicate check runs too.
    result = (await api.gql(VALIDATE, {"input": customer_input()}, token=token)).data[
        "validateCustomer"
    ]
    assert {(tuple(e["field"]), e["code"]) for e in result["errors"]} == {
        (("erpId",), "DUPLICATE"),
        (("registrationNumber",), "DUPLICATE"),
        (("taxId",), "DUPLICATE"),
    }


async def test_viewers_get_forbidden_from_the_dry_run(api: Api) -> None:
    token = api.token(api.world.reseller, "VIEWER")
    result = (await api.gql(VALIDATE, {"input": customer_input()}, token=token)).data
    validation = result["validateCustomer"]
    assert validation["valid"] is False and validation["normalized"] is None
    assert [(e["field"], e["code"]) for e in validation["errors"]] == [(None, "FORBIDDEN")]


COUNTRIES = """{ countries { code name requiredFields postalCodeExample postalCodeRequired
  subdivisions { code name } } }"""


async def test_countries_tell_forms_what_each_address_needs(api: Api) -> None:
    token = api.token(api.world.reseller, "VIEWER")
    countries = {c["code"]: c for c in (await api.gql(COUNTRIES, token=token)).data["countries"]}
    assert len(countries) > 240
    nl, us = countries["NL"], countries["US"]
    assert nl["name"] == "Netherlands"
    assert nl["postalCodeRequired"] is True and "postalCode" in nl["requiredFields"]
    assert nl["subdivisions"] == []
    assert "state" in us["requiredFields"]
    assert {"code": "CA", "name": "California"} in us["subdivisions"]
    assert us["postalCodeExample"]


async def test_currencies_are_the_configured_ones_with_names(api: Api) -> None:
    token = api.token(api.world.reseller, "VIEWER")
    currencies = (await api.gql("{ currencies { code name } }", token=token)).data["currencies"]
    assert [c["code"] for c in currencies] == [
        "EUR",
        "USD",
        "GBP",
        "CHF",
        "DKK",
        "NOK",
        "SEK",
        "PLN",
    ]
    assert currencies[0]["name"] == "Euro"
