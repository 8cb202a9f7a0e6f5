"""Test data builders: the brief's example customer, with any field overridden."""

from __future__ import annotations

import copy
from typing import Any

COPACO: dict[str, Any] = {
    "shortName": "Copaco",
    "fullName": "Copaco Netherlands B.V.",
    "erpId": "123",
    "registrationNumber": "17048595",
    "taxId": "NL006486253B01",
    "currency": "EUR",
    "industry": "NON_PROFIT",
    "primaryAddress": {
        "country": "NL",
        "city": "Eindhoven",
        "line1": "Hoevenweg 21",
        "postalCode": "5652AW",
    },
    "primaryContact": {
        "firstName": "Jan",
        "lastName": "Jansen",
        "role": "CEO",
        "email": "Jan@Copaco.NL",
        "phone": "+31(0)40 250 6000",
    },
}

# A second valid Dutch company, for lists and races (numbers differ from COPACO's).
SECOND: dict[str, Any] = {
    **COPACO,
    "shortName": "Bol",
    "fullName": "bol.com B.V.",
    "erpId": "456",
    "registrationNumber": "30190260",
    "taxId": "NL810433941B01",
}


def customer_input(base: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """A copy of `base` (COPACO) with fields replaced; address=/contact= update the nested ones."""
    data = copy.deepcopy(base or COPACO)
    if "address" in overrides:
        data["primaryAddress"].update(overrides.pop("address"))
    if "contact" in overrides:
        data["primaryContact"].update(overrides.pop("contact"))
    data.update(overrides)
    return data


def numbered(n: int) -> dict[str, Any]:
    """Customers with distinct ERP IDs and no tax/registration clash: for lists and paging.

    Uses valid numbers from other countries so each row is unique per reseller.
    """
    return customer_input(
        shortName=f"Customer {n:03d}",
        fullName=f"Customer Number {n:03d} B.V.",
        erpId=f"ERP-{n:03d}",
        registrationNumber=f"{n:08d}",
        taxId=_nl_vat(n),
    )


def _nl_vat(n: int) -> str:
    """A valid NL VAT number unique to n: the ninth digit is the mod-11 check digit."""
    for k in range(100):
        base = f"{20000000 + n * 100 + k:08d}"
        check = sum(int(d) * w for d, w in zip(base, range(9, 1, -1), strict=True)) % 11
        if check < 10:
            return f"NL{base}{check}B01"
    raise AssertionError("unreachable: some k gives a check digit below 10")
