"""What the tax registries said about a customer's tax ID: the current state, and one event
per verdict (the TAX_ID_VERIFICATION entries, recorded by the system, not by a person)."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import TaxIdVerificationStatus
from models.organization import Organization


class TaxIdVerification(Model):
    """One row per customer. While PENDING, attempts, next attempt and last error live on the
    job (`job_id`); a verdict copies them here, so purging finished jobs loses nothing."""

    id = fields.UUIDField(primary_key=True)
    organization: fields.OneToOneRelation[Organization] = fields.OneToOneField(
        "models.Organization", related_name="tax_id_verification", on_delete=fields.CASCADE
    )
    status = fields.CharEnumField(TaxIdVerificationStatus, max_length=16)
    registry = fields.CharField(max_length=16, null=True)  # VIES, HMRC
    tax_id = fields.CharField(max_length=64, null=True)  # the number this check is about
    job_id = fields.UUIDField(null=True)  # the job of the current check; no FK: jobs are purged
    checked_at = fields.DatetimeField(null=True)
    consultation_number = fields.CharField(max_length=64, null=True)
    registered_name = fields.CharField(max_length=255, null=True)
    registered_address = fields.CharField(max_length=1000, null=True)
    attempts = fields.IntField(default=0)
    message = fields.CharField(max_length=64, null=True)  # the registry's last error code
    updated_at = fields.DatetimeField()

    class Meta:
        table = "tax_id_verification"


class TaxIdVerificationEvent(Model):
    """Append-only: a verdict (VERIFIED, INVALID) or UNAVAILABLE after the last retry.

    Stands in for the audit log's TAX_ID_VERIFICATION entries (actor: null, the system) until
    that log exists; its rows carry what such an entry needs.
    """

    id = fields.UUIDField(primary_key=True)
    organization: fields.ForeignKeyRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="tax_id_verification_events", on_delete=fields.CASCADE
    )
    occurred_at = fields.DatetimeField()
    status = fields.CharEnumField(TaxIdVerificationStatus, max_length=16)
    registry = fields.CharField(max_length=16, null=True)
    tax_id = fields.CharField(max_length=64, null=True)
    consultation_number = fields.CharField(max_length=64, null=True)
    message = fields.CharField(max_length=64, null=True)
    attempts = fields.IntField()

    class Meta:
        table = "tax_id_verification_event"
        indexes = (Index(fields=("organization_id", "occurred_at"), name="tax_id_event_org_time"),)
