"""The customer's whole life: three statuses, `version`, the audit log, and uniqueness that
ignores ARCHIVED customers.

ERP ID, tax ID and registration number stay unique per reseller, but only among customers
that are not ARCHIVED, so an archived customer's numbers may be used again. That is a partial
unique index (`... WHERE status <> 'ARCHIVED'`), which Tortoise cannot declare, so the
database side is written here in explicit SQL, per dialect; `_StateOnly` tells Tortoise's
migration state what the SQL did (the models no longer declare `unique_together`).

SQLite cannot drop a table's inline UNIQUE constraints: the table is rebuilt the way SQLite
documents (foreign keys off, copy, drop, rename, foreign_key_check), in one transaction, and
every index the table had (whoever created it) is recreated from `sqlite_master`. Tortoise's
own rebuild drops the table with foreign keys on, which would cascade into addresses,
contacts and history. The new status names need no DDL (only the column comments list them).
"""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import AuditAction, OrganizationStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index


_UNIQUE_LIVE = (
    ("organization_erp_id_live", '"parent_id", "erp_id"'),
    ("organization_tax_id_live", '"parent_id", "tax_id"'),
    (
        "organization_registration_live",
        '"parent_id", "registration_country", "registration_number"',
    ),
)
_OLD_UNIQUE = (
    "uid_organizatio_parent__775365",
    "uid_organizatio_parent__9aa126",
    "uid_organizatio_parent__8cf5c3",
)


def _partial_indexes() -> list[str]:
    return [
        f'CREATE UNIQUE INDEX "{name}" ON "organization" ({columns}) WHERE "status" <> \'ARCHIVED\''
        for name, columns in _UNIQUE_LIVE
    ]


_POSTGRES = [
    'ALTER TABLE "organization" ADD COLUMN "version" INT NOT NULL DEFAULT 1',
    'ALTER TABLE "organization" '
    + ", ".join(f'DROP CONSTRAINT IF EXISTS "{name}"' for name in _OLD_UNIQUE),
    *_partial_indexes(),
]

_SQLITE_TABLE = """
CREATE TABLE "new__organization" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "kind" VARCHAR(16) NOT NULL,
    "status" VARCHAR(24) NOT NULL,
    "short_name" VARCHAR(64) NOT NULL,
    "full_name" VARCHAR(255) NOT NULL,
    "erp_id" VARCHAR(64),
    "registration_number" VARCHAR(64),
    "registration_country" VARCHAR(2),
    "tax_id" VARCHAR(64),
    "currency" VARCHAR(3),
    "industry" VARCHAR(16),
    "created_at" TIMESTAMP NOT NULL,
    "created_by" VARCHAR(255),
    "created_by_org_id" CHAR(36),
    "approved_at" TIMESTAMP,
    "approved_by" VARCHAR(255),
    "updated_at" TIMESTAMP NOT NULL,
    "parent_id" CHAR(36) REFERENCES "organization" ("id") ON DELETE RESTRICT,
    "version" INT NOT NULL DEFAULT 1
)
"""
_COPIED = (
    '"id", "kind", "status", "short_name", "full_name", "erp_id", "registration_number", '
    '"registration_country", "tax_id", "currency", "industry", "created_at", "created_by", '
    '"created_by_org_id", "approved_at", "approved_by", "updated_at", "parent_id"'
)


async def _forward(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        # One simple-protocol script: PostgreSQL runs it as one transaction.
        await client.execute_script(";\n".join(_POSTGRES))
        return
    _, rows = await client.execute_query(
        'SELECT "sql" FROM "sqlite_master" WHERE "type" = \'index\' '
        'AND "tbl_name" = \'organization\' AND "sql" IS NOT NULL'
    )
    indexes = [row["sql"] for row in rows]
    rebuild = [
        "BEGIN",
        _SQLITE_TABLE,
        f'INSERT INTO "new__organization" ({_COPIED}) SELECT {_COPIED} FROM "organization"',
        'DROP TABLE "organization"',
        'ALTER TABLE "new__organization" RENAME TO "organization"',
        *indexes,
        *_partial_indexes(),
        "COMMIT",
    ]
    await client.execute_script("PRAGMA foreign_keys = OFF")
    try:
        await client.execute_script(";\n".join(rebuild))
    except Exception:
        await client.execute_script("ROLLBACK")
        raise
    finally:
        await client.execute_script("PRAGMA foreign_keys = ON")
    _, broken = await client.execute_query("PRAGMA foreign_key_check")
    if broken:
        raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:3]}")


class _StateOnly(ops.TortoiseOperation):
    """Tortoise's operations for the migration state only; `_forward` did the database part."""

    def __init__(self, *inner: ops.TortoiseOperation) -> None:
        self.inner = inner

    def state_forward(self, app_label: str, state: Any) -> None:
        for operation in self.inner:
            operation.state_forward(app_label, state)


class Migration(migrations.Migration):
    dependencies = [("models", "0004_canonical_numbers")]

    initial = False
    # SQLite ignores `PRAGMA foreign_keys` inside a transaction: _forward makes its own.
    atomic = False

    operations = [
        ops.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True),
                ),
                (
                    "organization",
                    fields.ForeignKeyField(
                        "models.Organization",
                        source_field="organization_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="audit_entries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "action",
                    fields.CharEnumField(
                        description="CREATED: CREATED\nUPDATED: UPDATED\nSTATUS_CHANGED: STATUS_CHANGED\nTAX_ID_VERIFICATION: TAX_ID_VERIFICATION",
                        enum_type=AuditAction,
                        max_length=32,
                    ),
                ),
                ("version", fields.IntField()),
                ("occurred_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("actor_subject", fields.CharField(null=True, max_length=255)),
                ("actor_org_id", fields.UUIDField(null=True)),
                ("request_id", fields.CharField(null=True, max_length=64)),
                (
                    "from_status",
                    fields.CharEnumField(
                        null=True,
                        description="PENDING_APPROVAL: PENDING_APPROVAL\nACTIVE: ACTIVE\nREJECTED: REJECTED\nSUSPENDED: SUSPENDED\nBLOCKED: BLOCKED\nARCHIVED: ARCHIVED",
                        enum_type=OrganizationStatus,
                        max_length=24,
                    ),
                ),
                (
                    "to_status",
                    fields.CharEnumField(
                        null=True,
                        description="PENDING_APPROVAL: PENDING_APPROVAL\nACTIVE: ACTIVE\nREJECTED: REJECTED\nSUSPENDED: SUSPENDED\nBLOCKED: BLOCKED\nARCHIVED: ARCHIVED",
                        enum_type=OrganizationStatus,
                        max_length=24,
                    ),
                ),
                ("comment", fields.TextField(null=True, unique=False)),
                ("changes", fields.TextField(null=True, unique=False)),
            ],
            options={
                "table": "audit_entry",
                "app": "models",
                "indexes": [
                    Index(
                        fields=["organization_id", "version", "occurred_at"], name="audit_entry_org"
                    )
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.RunPython(_forward),
        _StateOnly(
            ops.RemoveConstraint(
                model_name="Organization",
                name=None,
                fields=["parent", "erp_id"],
            ),
            ops.RemoveConstraint(
                model_name="Organization",
                name=None,
                fields=["parent", "tax_id"],
            ),
            ops.RemoveConstraint(
                model_name="Organization",
                name=None,
                fields=["parent", "registration_country", "registration_number"],
            ),
            ops.AlterField(
                model_name="Organization",
                name="status",
                field=fields.CharEnumField(
                    description="PENDING_APPROVAL: PENDING_APPROVAL\nACTIVE: ACTIVE\nREJECTED: REJECTED\nSUSPENDED: SUSPENDED\nBLOCKED: BLOCKED\nARCHIVED: ARCHIVED",
                    enum_type=OrganizationStatus,
                    max_length=24,
                ),
            ),
            ops.AddField(
                model_name="Organization",
                name="version",
                field=fields.IntField(default=1),
            ),
            ops.AlterField(
                model_name="StatusChange",
                name="from_status",
                field=fields.CharEnumField(
                    null=True,
                    description="PENDING_APPROVAL: PENDING_APPROVAL\nACTIVE: ACTIVE\nREJECTED: REJECTED\nSUSPENDED: SUSPENDED\nBLOCKED: BLOCKED\nARCHIVED: ARCHIVED",
                    enum_type=OrganizationStatus,
                    max_length=24,
                ),
            ),
            ops.AlterField(
                model_name="StatusChange",
                name="to_status",
                field=fields.CharEnumField(
                    description="PENDING_APPROVAL: PENDING_APPROVAL\nACTIVE: ACTIVE\nREJECTED: REJECTED\nSUSPENDED: SUSPENDED\nBLOCKED: BLOCKED\nARCHIVED: ARCHIVED",
                    enum_type=OrganizationStatus,
                    max_length=24,
                ),
            ),
        ),
    ]
