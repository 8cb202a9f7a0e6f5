from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import TaxIdVerificationStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_job')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TaxIdVerification',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('organization', fields.OneToOneField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='tax_id_verification', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(description='NOT_APPLICABLE: NOT_APPLICABLE\nPENDING: PENDING\nVERIFIED: VERIFIED\nINVALID: INVALID\nUNAVAILABLE: UNAVAILABLE', enum_type=TaxIdVerificationStatus, max_length=16)),
                ('registry', fields.CharField(null=True, max_length=16)),
                ('tax_id', fields.CharField(null=True, max_length=64)),
                ('job_id', fields.UUIDField(null=True)),
                ('checked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('consultation_number', fields.CharField(null=True, max_length=64)),
                ('registered_name', fields.CharField(null=True, max_length=255)),
                ('registered_address', fields.CharField(null=True, max_length=1000)),
                ('attempts', fields.IntField(default=0)),
                ('message', fields.CharField(null=True, max_length=64)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tax_id_verification', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One row per customer. While PENDING, attempts, next attempt and last error live on the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TaxIdVerificationEvent',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='tax_id_verification_events', on_delete=OnDelete.CASCADE)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(description='NOT_APPLICABLE: NOT_APPLICABLE\nPENDING: PENDING\nVERIFIED: VERIFIED\nINVALID: INVALID\nUNAVAILABLE: UNAVAILABLE', enum_type=TaxIdVerificationStatus, max_length=16)),
                ('registry', fields.CharField(null=True, max_length=16)),
                ('tax_id', fields.CharField(null=True, max_length=64)),
                ('consultation_number', fields.CharField(null=True, max_length=64)),
                ('message', fields.CharField(null=True, max_length=64)),
                ('attempts', fields.IntField()),
            ],
            options={'table': 'tax_id_verification_event', 'app': 'models', 'indexes': [Index(fields=['organization_id', 'occurred_at'], name='tax_id_event_org_time')], 'pk_attr': 'id', 'table_description': 'Append-only: a verdict (VERIFIED, INVALID) or UNAVAILABLE after the last retry.'},
            bases=['Model'],
        ),
    ]
