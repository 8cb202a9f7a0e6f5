"""Secrets the server generates for itself (the JWT signing key when none is configured)."""

from tortoise import fields
from tortoise.models import Model


class Secret(Model):
    name = fields.CharField(max_length=64, primary_key=True)
    value = fields.TextField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "secret"
