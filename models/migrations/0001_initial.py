from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import Industry, OrganizationKind, OrganizationStatus
from tortoise.fields.base import OnDelete
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Organization',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='DISTRIBUTOR: DISTRIBUTOR\nRESELLER: RESELLER\nCUSTOMER: CUSTOMER', enum_type=OrganizationKind, max_length=16)),
                ('status', fields.CharEnumField(description='PENDING_APPROVAL: PENDING_APPROVAL\nACTIVE: ACTIVE\nREJECTED: REJECTED', enum_type=OrganizationStatus, max_length=24)),
                ('parent', fields.ForeignKeyField('models.Organization', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('short_name', fields.CharField(max_length=64)),
                ('full_name', fields.CharField(max_length=255)),
                ('erp_id', fields.CharField(null=True, max_length=64)),
                ('registration_number', fields.CharField(null=True, max_length=64)),
                ('registration_country', fields.CharField(null=True, max_length=2)),
                ('tax_id', fields.CharField(null=True, max_length=64)),
                ('currency', fields.CharField(null=True, max_length=3)),
                ('industry', fields.CharEnumField(null=True, description='COMMERCIAL: COMMERCIAL\nEDUCATION: EDUCATION\nGOVERNMENT: GOVERNMENT\nNON_PROFIT: NON_PROFIT', enum_type=Industry, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(null=True, max_length=255)),
                ('created_by_org_id', fields.UUIDField(null=True)),
                ('approved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('approved_by', fields.CharField(null=True, max_length=255)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'organization', 'app': 'models', 'unique_together': (('parent', 'erp_id'), ('parent', 'tax_id'), ('parent', 'registration_country', 'registration_number')), 'indexes': [Index(fields=['status', 'created_at'], name='organization_status_created'), Index(fields=['parent_id', 'status'], name='organization_parent_status'), Index(fields=['created_at'], name='organization_created')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Address',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('organization', fields.OneToOneField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='address', on_delete=OnDelete.CASCADE)),
                ('country', fields.CharField(max_length=2)),
                ('city', fields.CharField(max_length=100)),
                ('state', fields.CharField(null=True, max_length=100)),
                ('line1', fields.CharField(max_length=200)),
                ('line2', fields.CharField(null=True, max_length=200)),
                ('postal_code', fields.CharField(null=True, max_length=20)),
            ],
            options={'table': 'address', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Contact',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('organization', fields.OneToOneField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='contact', on_delete=OnDelete.CASCADE)),
                ('first_name', fields.CharField(max_length=50)),
                ('last_name', fields.CharField(max_length=50)),
                ('role', fields.CharField(max_length=64)),
                ('email', fields.CharField(max_length=254)),
                ('phone', fields.CharField(max_length=20)),
            ],
            options={'table': 'contact', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdempotencyRecord',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('scope_org_id', fields.UUIDField()),
                ('key', fields.CharField(max_length=255)),
                ('request_hash', fields.CharField(max_length=64)),
                ('customer', fields.ForeignKeyField('models.Organization', source_field='customer_id', db_constraint=True, to_field='id', related_name='idempotency_records', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotency_record', 'app': 'models', 'unique_together': (('scope_org_id', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Secret',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('value', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'secret', 'app': 'models', 'pk_attr': 'name'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StatusChange',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', db_constraint=True, to_field='id', related_name='history', on_delete=OnDelete.CASCADE)),
                ('from_status', fields.CharEnumField(null=True, description='PENDING_APPROVAL: PENDING_APPROVAL\nACTIVE: ACTIVE\nREJECTED: REJECTED', enum_type=OrganizationStatus, max_length=24)),
                ('to_status', fields.CharEnumField(description='PENDING_APPROVAL: PENDING_APPROVAL\nACTIVE: ACTIVE\nREJECTED: REJECTED', enum_type=OrganizationStatus, max_length=24)),
                ('comment', fields.TextField(null=True, unique=False)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_subject', fields.CharField(max_length=255)),
                ('actor_org_id', fields.UUIDField(null=True)),
                ('request_id', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'status_change', 'app': 'models', 'indexes': [Index(fields=['organization_id', 'occurred_at'], name='status_change_org_time')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
