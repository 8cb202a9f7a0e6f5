"""Rows written before numbers had one canonical form get it (resolvers/validation/: tax.py,
registration.py), so the duplicate check finds them whatever separators the next form types.

What changed, and so what this rewrites (a frozen copy of the rules, as a migration must be;
it imports nothing of the project):
- numbers without a rule were stored upper-case with their separators ("116-82-00276"); now
  letters and digits only ("11682 00276" and "116-82-00276" -> "1168200276");
- registration numbers of CN ES IL IS KR MD PL RO RU SI TH TW UA now follow python-stdnum's
  module: a stored number it accepts becomes its compact form, one it refuses stays as it is;
- Monaco's tax IDs were stored "MCFR…"; they are "FR…" as VIES knows them.
A row whose new form another customer of the same reseller already has keeps its old form:
the unique constraints hold, and the clash is left for a person to look at. Nothing else is
touched, so running this on a database without such rows changes nothing.
"""

from __future__ import annotations

import importlib
import unicodedata

import stdnum
from tortoise import migrations
from tortoise.migrations import operations as ops

# Countries whose registration number had a rule before this change: unchanged.
_RULED_BEFORE = {"NL", "BE", "DE", "FR", "GB", "AT", "AU", "BR", "CH", "DK", "EE", "FI", "JP"}
_RULED_BEFORE |= {"NO", "SE", "SG"}
_NEW_RULES = {
    "CN": "cn.uscc",
    "ES": "es.cif",
    "IL": "il.hp",
    "IS": "is_.kennitala",
    "KR": "kr.brn",
    "MD": "md.idno",
    "PL": "pl.regon",
    "RO": "ro.onrc",
    "RU": "ru.ogrn",
    "SI": "si.maticna",
    "TH": "th.moa",
    "TW": "tw.ubn",
    "UA": "ua.edrpou",
}


def _free(text: str) -> str:
    normalized = unicodedata.normalize("NFKC", text).upper()
    return "".join(ch for ch in normalized if ch.isalnum()) or text


def _registration(number: str, country: str | None) -> str:
    if country is None or country in _RULED_BEFORE:
        return number
    if country in _NEW_RULES:
        module = importlib.import_module(f"stdnum.{_NEW_RULES[country]}")
        try:
            return str(module.compact(module.validate(number)))
        except ValueError:
            return number
    return _free(number)


def _tax_id(number: str, country: str | None) -> str:
    if country == "MC" and number.startswith("MCFR"):
        return number.removeprefix("MC")
    if country is None or country == "US" or stdnum.get_cc_module(country.lower(), "vat"):
        return number
    return _free(number)


_ROWS = """
SELECT o.id, o.parent_id, o.registration_country, o.registration_number, o.tax_id,
       a.country AS address_country
FROM organization o LEFT JOIN address a ON a.organization_id = o.id
WHERE o.registration_number IS NOT NULL OR o.tax_id IS NOT NULL
"""


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    rows = await client.execute_query_dict(_ROWS)
    taken_reg = {
        (str(r["parent_id"]), r["registration_country"], r["registration_number"]) for r in rows
    }
    taken_tax = {(str(r["parent_id"]), r["tax_id"]) for r in rows}
    first, second = ("$1", "$2") if postgres else ("?", "?")
    for row in rows:
        parent = str(row["parent_id"])
        updates: dict[str, str] = {}
        if row["registration_number"] is not None:
            old = row["registration_number"]
            new = _registration(old, row["registration_country"])
            key = (parent, row["registration_country"], new)
            if new != old and key not in taken_reg:
                taken_reg.add(key)
                updates["registration_number"] = new
        if row["tax_id"] is not None:
            old = row["tax_id"]
            new = _tax_id(old, row["address_country"])
            if new != old and (parent, new) not in taken_tax:
                taken_tax.add((parent, new))
                updates["tax_id"] = new
        for column, value in updates.items():
            await client.execute_query(
                f'UPDATE "organization" SET "{column}" = {first} WHERE "id" = {second}',
                [value, row["id"]],
            )


class Migration(migrations.Migration):
    # After both 0003s (written in parallel), so the graph has one leaf again.
    dependencies = [("models", "0003_name_sorting"), ("models", "0003_tax_id_verification")]

    operations = [ops.RunPython(forward, ops.RunPython.noop)]
