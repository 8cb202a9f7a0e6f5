"""Indexes for sorting by name as people read them (resolvers/organizations.py NAME_FIELDS).

Written by hand: the indexes are on collated expressions, which Tortoise's Index cannot
express per dialect (and `AddField(db_index=True)` would forget them anyway). PostgreSQL
uses ICU's root collation "und-x-icu" (every Debian, official Docker and managed build has
ICU); SQLite its built-in NOCASE. Each index ends with the list's tie-breaks, so a page
sorted by name reads the index in order and stops at the limit.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

_COLLATION = {"postgres": '"und-x-icu"', "sqlite": "NOCASE"}
_FIELDS = ("short_name", "full_name")


def _statements(dialect: str) -> list[str]:
    collation = _COLLATION[dialect]
    return [
        f'CREATE INDEX IF NOT EXISTS "organization_{field}_sort" ON "organization" '
        f'("{field}" COLLATE {collation}, "created_at", "id")'
        for field in _FIELDS
    ]


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    for statement in _statements(client.capabilities.dialect):
        await client.execute_script(statement)


async def backward(apps, schema_editor) -> None:
    for field in _FIELDS:
        await schema_editor.client.execute_script(
            f'DROP INDEX IF EXISTS "organization_{field}_sort"'
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0002_job")]

    operations = [ops.RunPython(forward, backward)]
