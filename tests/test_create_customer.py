"""createCustomer through HTTP: the golden path, every error path, and nothing half-written."""

from __future__ import annotations

import pytest

from models import Address, Contact, Organization, OrganizationKind, StatusChange
from tests.api import Api
from tests.builders import COPACO, SECOND, customer_input
from tests.queries import CREATE, ORGANIZATION


async def _customer_rows() -> tuple[int, int, int, int]:
    return (
        await Organization.filter(kind=OrganizationKind.CUSTOMER).count(),
        await Address.all().count(),
        await Contact.all().count(),
        await StatusChange.filter(from_status__isnull=True, to_status="PENDING_APPROVAL").count(),
    )


async def test_reseller_creates_the_brief_example_in_canonical_form(api: Api) -> None:
    token = api.token(api.world.reseller, "ACCOUNT_MANAGER", sub="anna")
    result = await api.gql(CREATE, {"input": customer_input()}, token=token)
    payload = result.data["createCustomer"]
    assert payload["errors"] == []
    assert payload["replayed"] is False
    customer = payload["customer"]
    assert customer["status"] == "PENDING_APPROVAL"
    assert customer["kind"] == "CUSTOMER"
    assert customer["parent"]["id"] == api.world.reseller
    assert customer["taxId"] == "NL006486253B01"
    assert customer["registrationNumber"] == "17048595"
    assert customer["industry"] == "NON_PROFIT"
    assert customer["createdBy"] == "anna"
    assert customer["approvedAt"] is None
    assert customer["primaryAddress"]["postalCode"] == "5652 AW"
    assert customer["primaryAddress"]["formatted"].splitlines()[0] == "Hoevenweg 21"
    assert "5652 AW" in customer["primaryAddress"]["formatted"]
    contact = customer["primaryContact"]
    assert contact["phone"] == "+31402506000"
    assert contact["phoneFormatted"] == "+31 40 250 6000"
    assert contact["email"] == "Jan@copaco.nl"
    again = await api.gql(ORGANIZATION, {"id": customer["id"]}, token=token)
    assert again.data["organization"] == customer


async def test_form_full_of_mistakes_returns_every_error_and_writes_nothing(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    before = await _customer_rows()
    bad = customer_input(
        shortName="   ",
        fullName="...",
        erpId="x" * 65,
        registrationNumber="1234",
        taxId="NL006486254B01",
        currency="XYZ",
        address={"country": "NL", "city": "", "line1": "Hoevenweg\x0021", "postalCode": "ABCD"},
        contact={"firstName": "", "email": "not-an-email", "phone": "12"},
    )
    payload = (await api.gql(CREATE, {"input": bad}, token=token)).data["createCustomer"]
    assert payload["customer"] is None
    got = {(tuple(e["field"]), e["code"]) for e in payload["errors"]}
    assert got == {
        (("shortName",), "REQUIRED"),
        (("fullName",), "INVALID_FORMAT"),
        (("erpId",), "TOO_LONG"),
        (("registrationNumber",), "INVALID_FORMAT"),
        (("taxId",), "INVALID_CHECKSUM"),
        (("currency",), "UNSUPPORTED_CURRENCY"),
        (("primaryAddress", "city"), "REQUIRED"),
        (("primaryAddress", "line1"), "INVALID_FORMAT"),
        (("primaryAddress", "postalCode"), "INVALID_FORMAT"),
        (("primaryContact", "firstName"), "REQUIRED"),
        (("primaryContact", "email"), "INVALID_EMAIL"),
        (("primaryContact", "phone"), "INVALID_PHONE"),
    }
    assert all(e["message"] for e in payload["errors"])
    assert await _customer_rows() == before


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"taxId": "DE136695976"}, ["taxId"], "COUNTRY_MISMATCH"),
        ({"address": {"country": "UK"}}, ["primaryAddress", "country"], "UNKNOWN_COUNTRY"),
        ({"address": {"country": "ZZ"}}, ["primaryAddress", "country"], "UNKNOWN_COUNTRY"),
        ({"fullName": "X"}, ["fullName"], "TOO_SHORT"),
        ({"contact": {"role": "r" * 65}}, ["primaryContact", "role"], "TOO_LONG"),
    ],
)
async def test_single_field_errors_name_their_field(
    api: Api, changes: dict[str, object], field: list[str], code: str
) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    payload = (await api.gql(CREATE, {"input": customer_input(**changes)}, token=token)).data[
        "createCustomer"
    ]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert payload["customer"] is None


async def test_uk_alias_error_names_gb(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    bad = customer_input(address={"country": "UK"})
    payload = (await api.gql(CREATE, {"input": bad}, token=token)).data["createCustomer"]
    assert "GB" in payload["errors"][0]["message"]


async def test_duplicates_per_reseller_are_refused_per_field(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    first = await api.gql(CREATE, {"input": customer_input()}, token=token)
    assert first.data["createCustomer"]["errors"] == []
    clash = customer_input(SECOND, erpId=COPACO["erpId"], taxId=COPACO["taxId"])
    payload = (await api.gql(CREATE, {"input": clash}, token=token)).data["createCustomer"]
    assert {(tuple(e["field"]), e["code"]) for e in payload["errors"]} == {
        (("erpId",), "DUPLICATE"),
        (("taxId",), "DUPLICATE"),
    }
    clash = customer_input(SECOND, registrationNumber=COPACO["registrationNumber"])
    payload = (await api.gql(CREATE, {"input": clash}, token=token)).data["createCustomer"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["registrationNumber"], "DUPLICATE")
    ]
    assert await Organization.filter(kind=OrganizationKind.CUSTOMER).count() == 1


# A country without registration or VAT rules (free text) and one with stdnum rules.
DUBAI = {"country": "AE", "city": "Dubai", "state": "Dubai", "line1": "Sheikh Zayed Rd 1"}
NANCY = {"country": "FR", "city": "Nancy", "line1": "1 Place Stanislas", "postalCode": "54000"}


@pytest.mark.parametrize(
    ("address", "first", "again"),
    [
        (
            DUBAI,
            {"registrationNumber": "CN-1234/56", "taxId": "100 123 456 700003"},
            {"registrationNumber": "cn 123456", "taxId": "100-123-456-700003"},
        ),
        (
            NANCY,
            {"registrationNumber": "RCS Nancy B 323 159 715", "taxId": "FR 40 303 265 045"},
            {"registrationNumber": "323159715", "taxId": "40303265045"},
        ),
    ],
)
async def test_duplicates_are_found_whatever_separators_were_typed(
    api: Api, address: dict[str, str], first: dict[str, str], again: dict[str, str]
) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    made = await api.gql(CREATE, {"input": customer_input(address=address, **first)}, token=token)
    assert made.data["createCustomer"]["errors"] == []
    clash = customer_input(SECOND, address=address, **again)
    payload = (await api.gql(CREATE, {"input": clash}, token=token)).data["createCustomer"]
    assert {(tuple(e["field"]), e["code"]) for e in payload["errors"]} == {
        (("registrationNumber",), "DUPLICATE"),
        (("taxId",), "DUPLICATE"),
    }


async def test_unknown_country_still_reports_what_can_be_judged(api: Api) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    bad = customer_input(
        taxId="NL006486254B01",
        address={"country": "ZZ"},
        contact={"phone": "+31 40 250 600"},
    )
    payload = (await api.gql(CREATE, {"input": bad}, token=token)).data["createCustomer"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [
        (["taxId"], "INVALID_CHECKSUM"),
        (["primaryAddress", "country"], "UNKNOWN_COUNTRY"),
        (["primaryContact", "phone"], "INVALID_PHONE"),
    ]


async def test_same_numbers_under_another_reseller_are_fine(api: Api) -> None:
    for reseller in (api.world.reseller, api.world.other_reseller):
        token = api.token(reseller, "ADMIN")
        result = await api.gql(CREATE, {"input": customer_input()}, token=token)
        assert result.data["createCustomer"]["errors"] == []
    assert await Organization.filter(kind=OrganizationKind.CUSTOMER).count() == 2


async def test_viewer_may_not_create(api: Api) -> None:
    token = api.token(api.world.reseller, "VIEWER")
    payload = (await api.gql(CREATE, {"input": customer_input()}, token=token)).data[
        "createCustomer"
    ]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(None, "FORBIDDEN")]
    assert await Organization.filter(kind=OrganizationKind.CUSTOMER).count() == 0


async def test_distributor_must_name_a_reseller(api: Api) -> None:
    token = api.token(api.world.distributor, "ADMIN")
    payload = (await api.gql(CREATE, {"input": customer_input()}, token=token)).data[
        "createCustomer"
    ]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["resellerId"], "REQUIRED")]
    chosen = customer_input(resellerId=api.world.other_reseller)
    payload = (await api.gql(CREATE, {"input": chosen}, token=token)).data["createCustomer"]
    assert payload["errors"] == []
    assert payload["customer"]["parent"]["id"] == api.world.other_reseller


@pytest.mark.parametrize("target", ["other_reseller", "distributor", "garbage"])
async def test_reseller_cannot_create_elsewhere(api: Api, target: str) -> None:
    token = api.token(api.world.reseller, "ADMIN")
    reseller_id = getattr(api.world, target, "not-an-id")
    bad = customer_input(resellerId=reseller_id)
    payload = (await api.gql(CREATE, {"input": bad}, token=token)).data["createCustomer"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["resellerId"], "NOT_FOUND")]


async def test_distributor_cannot_create_under_the_distributor(api: Api) -> None:
    token = api.token(api.world.distributor, "ADMIN")
    bad = customer_input(resellerId=api.world.distributor)
    payload = (await api.gql(CREATE, {"input": bad}, token=token)).data["createCustomer"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(["resellerId"], "NOT_FOUND")]
