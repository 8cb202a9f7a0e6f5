from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import ImportRowStatus, ImportStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_lifecycle')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CustomerImport',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('org_id', fields.UUIDField()),
                ('subject', fields.CharField(max_length=255)),
                ('roles', fields.CharField(max_length=255)),
                ('request_id', fields.CharField(null=True, max_length=64)),
                ('reseller_id', fields.CharField(null=True, max_length=255)),
                ('dry_run', fields.BooleanField(default=False)),
                ('file_name', fields.CharField(null=True, max_length=255)),
                ('file_format', fields.CharField(max_length=8)),
                ('content', fields.BinaryField(null=True)),
                ('header', fields.TextField(null=True, unique=False)),
                ('status', fields.CharEnumField(description='QUEUED: QUEUED\nRUNNING: RUNNING\nCOMPLETED: COMPLETED\nFAILED: FAILED', enum_type=ImportStatus, max_length=16)),
                ('error', fields.CharField(null=True, max_length=500)),
                ('total_rows', fields.IntField(null=True)),
                ('processed_rows', fields.IntField(default=0)),
                ('created_count', fields.IntField(default=0)),
                ('failed_count', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'customer_import', 'app': 'models', 'indexes': [Index(fields=['org_id', 'created_at'], name='customer_import_org_created')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ImportRow',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('customer_import', fields.ForeignKeyField('models.CustomerImport', source_field='customer_import_id', db_constraint=True, to_field='id', related_name='rows', on_delete=OnDelete.CASCADE)),
                ('row_number', fields.IntField()),
                ('status', fields.CharEnumField(description='PENDING: PENDING\nCREATED: CREATED\nVALID: VALID\nFAILED: FAILED\nDUPLICATE: DUPLICATE', enum_type=ImportRowStatus, max_length=16)),
                ('cells', fields.TextField(unique=False)),
                ('errors', fields.TextField(null=True, unique=False)),
                ('customer_id', fields.UUIDField(null=True)),
            ],
            options={'table': 'import_row', 'app': 'models', 'unique_together': (('customer_import', 'row_number'),), 'indexes': [Index(fields=['customer_import_id', 'status', 'row_number'], name='import_row_import_status_number')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
