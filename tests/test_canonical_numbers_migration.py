"""Migration 0004 gives numbers stored before the canonical form that form, on both
databases, and leaves a clash under one reseller as it was."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from types import SimpleNamespace

from tortoise import connections

from models import Address, Organization, OrganizationKind, OrganizationStatus
from resolvers import global_id
from tests.api import Api

migration = importlib.import_module("models.migrations.0004_canonical_numbers")


async def _customer(parent: str, country: str, registration: str, tax_id: str) -> Organization:
    now = datetime.now(UTC)
    org = await Organization.create(
        kind=OrganizationKind.CUSTOMER,
        status=OrganizationStatus.PENDING_APPROVAL,
        parent_id=global_id.decode_uuid(parent, "Organization"),
        short_name="Old",
        full_name="Old Row Ltd",
        registration_number=registration,
        registration_country=country,
        tax_id=tax_id,
        created_at=now,
        updated_at=now,
    )
    await Address.create(organization=org, country=country, city="X", line1="Y 1")
    return org


async def test_old_rows_get_the_canonical_form(api: Api) -> None:
    reseller = api.world.reseller
    rows = {
        "free": await _customer(reseller, "AE", "CN-1234 56", "100 123-456"),
        "clash": await _customer(reseller, "AE", "CN 1234/56", "100.123.456"),
        "korea": await _customer(reseller, "KR", "116-82-00276", "KR 1"),
        "korea bad": await _customer(reseller, "KR", "116-82-0027", "KR 2"),
        "monaco": await _customer(reseller, "MC", "MC 1", "MCFR53000004605"),
        "dutch": await _customer(reseller, "NL", "17048595", "NL006486253B01"),
        "elsewhere": await _customer(api.world.other_reseller, "AE", "CN 1234 56", "100 123 456"),
    }
    await migration.forward(None, SimpleNamespace(client=connections.get("default")))
    after = {
        name: await Organization.get(id=org.id).values("registration_number", "tax_id")
        for name, org in rows.items()
    }
    assert after == {
        "free": {"registration_number": "CN123456", "tax_id": "100123456"},
        # Its new form is the first row's: kept as it was, for a person to look at.
        "clash": {"registration_number": "CN 1234/56", "tax_id": "100.123.456"},
        "korea": {"registration_number": "1168200276", "tax_id": "KR 1"},
        # stdnum refuses it (9 digits); it stays as stored rather than be guessed at.
        "korea bad": {"registration_number": "116-82-0027", "tax_id": "KR 2"},
        "monaco": {"registration_number": "MC1", "tax_id": "FR53000004605"},
        "dutch": {"registration_number": "17048595", "tax_id": "NL006486253B01"},
        # Another reseller's customers may share numbers: no clash.
        "elsewhere": {"registration_number": "CN123456", "tax_id": "100123456"},
    }
    # Running it again changes nothing.
    await migration.forward(None, SimpleNamespace(client=connections.get("default")))
    again = {
        name: await Organization.get(id=org.id).values("registration_number", "tax_id")
        for name, org in rows.items()
    }
    assert again == after
