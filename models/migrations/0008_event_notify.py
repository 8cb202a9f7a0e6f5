"""Live subscriptions hear of every new event at once, in every process (resolvers/live).

PostgreSQL: a trigger on the outbox sends `NOTIFY portal_events, '<event id>'` for each row.
NOTIFY is transactional: it is delivered when the change's transaction commits, in commit
order, and never for one that rolled back, so a subscriber hears of exactly the events that
happened. The payload is the event's ID and nothing else: values stay in the table, where the
subscriber's own tenancy decides what it may read.

SQLite has no NOTIFY (and one process serves it): the server polls the outbox by rowid, the
order SQLite's single writer committed the rows in. Nothing to create there.

Written by hand: Tortoise has no operation for triggers.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

CHANNEL = "portal_events"

_CREATE = f"""
CREATE OR REPLACE FUNCTION "portal_notify_event"() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('{CHANNEL}', NEW."id"::text);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS "webhook_event_notify" ON "webhook_event";
CREATE TRIGGER "webhook_event_notify" AFTER INSERT ON "webhook_event"
  FOR EACH ROW EXECUTE FUNCTION "portal_notify_event"();
"""
_DROP = """
DROP TRIGGER IF EXISTS "webhook_event_notify" ON "webhook_event";
DROP FUNCTION IF EXISTS "portal_notify_event"();
"""


async def forward(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(_CREATE)


async def backward(apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script(_DROP)


class Migration(migrations.Migration):
    dependencies = [("models", "0007_webhooks")]

    operations = [ops.RunPython(forward, backward)]
