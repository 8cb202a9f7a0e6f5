"""Idempotency keys: remember which request created which customer, per caller organization."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.organization import Organization


class IdempotencyRecord(Model):
    id = fields.UUIDField(primary_key=True)
    scope_org_id = fields.UUIDField()
    key = fields.CharField(max_length=255)
    request_hash = fields.CharField(max_length=64)
    customer: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="idempotency_records", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "idempotency_record"
        unique_together = (("scope_org_id", "key"),)
