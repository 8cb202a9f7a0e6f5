"""The audit log: one row per change a person (or the system) writes, never updated or deleted.

`changes` holds the edited fields as JSON (`[{"field", "old", "new"}]`, canonical values), so one
update is one row however many fields it touched. Rows sort by the organization's `version`
after the change (creation is 1), then time: a system entry (a tax-authority verdict) carries
the version it saw and does not raise it.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import AuditAction, OrganizationStatus
from models.organization import Organization


class AuditEntry(Model):
    id = fields.UUIDField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="audit_entries", on_delete=fields.CASCADE
    )
    action = fields.CharEnumField(AuditAction, max_length=32)
    version = fields.IntField()
    occurred_at = fields.DatetimeField()
    # Both NULL for the system (verification results).
    actor_subject = fields.CharField(max_length=255, null=True)
    actor_org_id = fields.UUIDField(null=True)
    request_id = fields.CharField(max_length=64, null=True)
    from_status = fields.CharEnumField(OrganizationStatus, max_length=24, null=True)
    to_status = fields.CharEnumField(OrganizationStatus, max_length=24, null=True)
    comment = fields.TextField(null=True)
    changes = fields.TextField(null=True)

    class Meta:
        table = "audit_entry"
        indexes = (
            Index(fields=("organization_id", "version", "occurred_at"), name="audit_entry_org"),
        )
