"""The status history: one row per transition, creation included. Rows are only ever added."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import OrganizationStatus
from models.organization import Organization


class StatusChange(Model):
    id = fields.UUIDField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="history", on_delete=fields.CASCADE
    )
    from_status = fields.CharEnumField(OrganizationStatus, max_length=24, null=True)
    to_status = fields.CharEnumField(OrganizationStatus, max_length=24)
    comment = fields.TextField(null=True)
    occurred_at = fields.DatetimeField()
    actor_subject = fields.CharField(max_length=255)
    actor_org_id = fields.UUIDField(null=True)
    request_id = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "status_change"
        indexes = (Index(fields=("organization_id", "occurred_at"), name="status_change_org_time"),)
