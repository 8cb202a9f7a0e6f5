from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import DeliveryStatus, EventType
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0006_customer_import')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('endpoint_id', fields.UUIDField()),
                ('event_id', fields.UUIDField()),
                ('event_type', fields.CharEnumField(description='CUSTOMER_CREATED: customer.created\nCUSTOMER_UPDATED: customer.updated\nCUSTOMER_STATUS_CHANGED: customer.status_changed\nTAX_ID_VERIFICATION_CHANGED: customer.tax_id_verification_changed\nWEBHOOK_TEST: webhook.test', enum_type=EventType, max_length=48)),
                ('owner_id', fields.UUIDField()),
                ('organization_id', fields.UUIDField(null=True)),
                ('status', fields.CharEnumField(description='PENDING: PENDING\nSUCCEEDED: SUCCEEDED\nFAILED: FAILED', enum_type=DeliveryStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('body', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('next_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('response_status', fields.IntField(null=True)),
            ],
            options={'table': 'webhook_delivery', 'app': 'models', 'unique_together': (('endpoint_id', 'event_id'),), 'indexes': [Index(fields=['owner_id', 'created_at'], name='webhook_delivery_owner'), Index(fields=['endpoint_id', 'created_at'], name='webhook_delivery_endpoint')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeliveryAttempt',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('delivery_id', fields.UUIDField()),
                ('number', fields.IntField()),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('duration_ms', fields.IntField()),
                ('response_status', fields.IntField(null=True)),
                ('error', fields.CharField(null=True, max_length=64)),
                ('response_excerpt', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'webhook_delivery_attempt', 'app': 'models', 'indexes': [Index(fields=['delivery_id', 'number'], name='webhook_attempt_delivery')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Endpoint',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('organization_id', fields.UUIDField()),
                ('url', fields.CharField(max_length=2048)),
                ('events', fields.TextField(unique=False)),
                ('description', fields.CharField(null=True, max_length=500)),
                ('enabled', fields.BooleanField(default=True)),
                ('disabled_reason', fields.CharField(null=True, max_length=500)),
                ('secret', fields.CharField(max_length=128)),
                ('previous_secret', fields.CharField(null=True, max_length=128)),
                ('previous_secret_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('failing_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_endpoint', 'app': 'models', 'indexes': [Index(fields=['organization_id', 'created_at'], name='webhook_endpoint_org')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Event',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('organization_id', fields.UUIDField()),
                ('type', fields.CharEnumField(description='CUSTOMER_CREATED: customer.created\nCUSTOMER_UPDATED: customer.updated\nCUSTOMER_STATUS_CHANGED: customer.status_changed\nTAX_ID_VERIFICATION_CHANGED: customer.tax_id_verification_changed\nWEBHOOK_TEST: webhook.test', enum_type=EventType, max_length=48)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('request_id', fields.CharField(null=True, max_length=64)),
                ('facts', fields.TextField(unique=False)),
            ],
            options={'table': 'webhook_event', 'app': 'models', 'indexes': [Index(fields=['organization_id', 'occurred_at'], name='webhook_event_org_time')], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Job',
            name='ordering_key',
            field=fields.CharField(null=True, max_length=128),
        ),
        ops.AddIndex(
            model_name='Job',
            index=Index(fields=['ordering_key', 'status'], name='job_ordering_key_status'),
        ),
    ]
