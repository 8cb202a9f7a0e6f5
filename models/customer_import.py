"""Customer imports: one row per uploaded file, one per spreadsheet row of it.

The file's bytes are kept until a worker has read them into `import_row` rows (then dropped);
each row then carries its own outcome, so an import interrupted anywhere resumes with the
first row still PENDING and the counters always equal what the rows say.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.enums import ImportRowStatus, ImportStatus


class CustomerImport(Model):
    id = fields.UUIDField(primary_key=True)
    # Who uploaded it, as the token said: the worker acts as that person, in that organization.
    org_id = fields.UUIDField()
    subject = fields.CharField(max_length=255)
    roles = fields.CharField(max_length=255)  # comma-separated Role names
    request_id = fields.CharField(max_length=64, null=True)
    # The resellerId the upload named (a global ID), re-checked for every row as the form is.
    reseller_id = fields.CharField(max_length=255, null=True)
    dry_run = fields.BooleanField(default=False)
    file_name = fields.CharField(max_length=255, null=True)
    file_format = fields.CharField(max_length=8)  # csv | xlsx
    content = fields.BinaryField(null=True)
    # The header row as the file wrote it (JSON list), once the file has been read.
    header = fields.TextField(null=True)
    status = fields.CharEnumField(ImportStatus, max_length=16)
    # Why a FAILED import could not be read: a sentence for the uploader, never a trace.
    error = fields.CharField(max_length=500, null=True)
    total_rows = fields.IntField(null=True)
    processed_rows = fields.IntField(default=0)
    created_count = fields.IntField(default=0)
    failed_count = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "customer_import"
        indexes = (Index(fields=("org_id", "created_at"), name="customer_import_org_created"),)


class ImportRow(Model):
    id = fields.UUIDField(primary_key=True)
    customer_import: fields.ForeignKeyRelation[CustomerImport] = fields.ForeignKeyField(
        "models.CustomerImport", related_name="rows", on_delete=fields.CASCADE
    )
    row_number = fields.IntField()  # the spreadsheet's line; the header is 1
    status = fields.CharEnumField(ImportRowStatus, max_length=16)
    cells = fields.TextField()  # JSON list of the row's cells, as text
    errors = fields.TextField(null=True)  # JSON list of {column, field, code, message}
    customer_id = fields.UUIDField(null=True)

    class Meta:
        table = "import_row"
        unique_together = (("customer_import", "row_number"),)
        indexes = (
            Index(
                fields=("customer_import_id", "status", "row_number"),
                name="import_row_import_status_number",
            ),
        )
