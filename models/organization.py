"""Organizations (the DISTRIBUTOR → RESELLER → CUSTOMER tree) and their address and contact."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import Industry, OrganizationKind, OrganizationStatus


class Organization(Model):
    # Random UUIDs: a global ID must reveal nothing about row counts or tenants.
    id = fields.UUIDField(primary_key=True)
    kind = fields.CharEnumField(OrganizationKind, max_length=16)
    status = fields.CharEnumField(OrganizationStatus, max_length=24)
    parent: fields.ForeignKeyNullableRelation[Organization] = fields.ForeignKeyField(
        "models.Organization", related_name="children", null=True, on_delete=fields.RESTRICT
    )
    short_name = fields.CharField(max_length=64)
    full_name = fields.CharField(max_length=255)
    erp_id = fields.CharField(max_length=64, null=True)
    registration_number = fields.CharField(max_length=64, null=True)
    # Registration numbers are unique per reseller *and country*; the address country is
    # copied here so that a plain unique constraint can enforce it.
    registration_country = fields.CharField(max_length=2, null=True)
    tax_id = fields.CharField(max_length=64, null=True)
    currency = fields.CharField(max_length=3, null=True)
    industry = fields.CharEnumField(Industry, max_length=16, null=True)
    created_at = fields.DatetimeField()
    created_by = fields.CharField(max_length=255, null=True)
    created_by_org_id = fields.UUIDField(null=True)
    approved_at = fields.DatetimeField(null=True)
    approved_by = fields.CharField(max_length=255, null=True)
    updated_at = fields.DatetimeField()
    # 1 at creation, +1 with every change a person writes: updateCustomer's optimistic lock.
    version = fields.IntField(default=1)

    class Meta:
        table = "organization"
        # ERP ID, tax ID and registration number are unique per reseller among the customers
        # that are not ARCHIVED: partial unique indexes, which Tortoise cannot declare, so
        # migration 0002 creates them in explicit SQL (`models/migrations/`). NULLs never
        # collide, so distributor and reseller rows (no ERP ID, ...) pass freely.
        indexes = (
            Index(fields=("status", "created_at"), name="organization_status_created"),
            Index(fields=("parent_id", "status"), name="organization_parent_status"),
            Index(fields=("created_at",), name="organization_created"),
        )


class Address(Model):
    id = fields.UUIDField(primary_key=True)
    organization: fields.OneToOneRelation[Organization] = fields.OneToOneField(
        "models.Organization", related_name="address", on_delete=fields.CASCADE
    )
    country = fields.CharField(max_length=2)
    city = fields.CharField(max_length=100)
    state = fields.CharField(max_length=100, null=True)
    line1 = fields.CharField(max_length=200)
    line2 = fields.CharField(max_length=200, null=True)
    postal_code = fields.CharField(max_length=20, null=True)

    class Meta:
        table = "address"


class Contact(Model):
    id = fields.UUIDField(primary_key=True)
    organization: fields.OneToOneRelation[Organization] = fields.OneToOneField(
        "models.Organization", related_name="contact", on_delete=fields.CASCADE
    )
    first_name = fields.CharField(max_length=50)
    last_name = fields.CharField(max_length=50)
    role = fields.CharField(max_length=64)
    email = fields.CharField(max_length=254)
    phone = fields.CharField(max_length=20)

    class Meta:
        table = "contact"
