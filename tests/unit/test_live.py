"""The live hub's rules without a server: bounded queues, kinds, hidden contact values, and
which graphql-transport-ws messages reach Strawberry."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from graph.live.types import OrganizationEvent
from graph.organizations.types import Organization
from models import EventType, OrganizationKind, OrganizationStatus
from resolvers.audit import FieldChange
from resolvers.live.events import LiveEvent
from resolvers.live.hub import SHUTDOWN, SLOW, Dropped, Hub
from resolvers.records import OrganizationRecord
from server.live import parameter, well_formed


class _Feed:
    def __init__(self, hub: Hub) -> None:
        self.started = 0
        self.idled = 0

    async def start(self) -> None:
        self.started += 1

    def idle(self) -> None:
        self.idled += 1

    async def stop(self) -> None:
        pass


def _event(type: EventType = EventType.CUSTOMER_UPDATED, *changes: FieldChange) -> LiveEvent:
    return LiveEvent(uuid4(), uuid4(), type, datetime.now(UTC), None, None, changes)


async def test_a_subscriber_gets_what_it_asked_for_in_order() -> None:
    hub = Hub(_Feed, queue_size=10)
    everything = await hub.subscribe()
    statuses = await hub.subscribe([EventType.CUSTOMER_STATUS_CHANGED])
    sent = [_event(EventType.CUSTOMER_CREATED), _event(EventType.CUSTOMER_STATUS_CHANGED)]
    hub.publish(sent)
    assert [await everything.next() for _ in sent] == sent
    assert await statuses.next() == sent[1]


async def test_a_slow_subscriber_is_dropped_when_its_queue_is_full() -> None:
    hub = Hub(_Feed, queue_size=3)
    slow = await hub.subscribe()
    fast = await hub.subscribe()
    for _ in range(3):
        hub.publish([_event()])
        await fast.next()
    assert slow.dropped is None
    hub.publish([_event()])  # the fourth: slow has read none of them
    assert slow.dropped == SLOW
    assert hub.subscribers == {fast}  # unsubscribed, its queue emptied
    with pytest.raises(Dropped) as raised:
        await slow.next()
    assert raised.value.reason == SLOW


async def test_the_last_subscriber_leaving_idles_the_feed_and_stop_drops_everyone() -> None:
    hub = Hub(_Feed, queue_size=3)
    first, second = await hub.subscribe(), await hub.subscribe()
    feed = hub.feed
    assert isinstance(feed, _Feed) and feed.started == 2
    first.close()
    assert feed.idled == 0
    second.close()
    assert feed.idled == 1
    third = await hub.subscribe()
    await hub.stop()
    with pytest.raises(Dropped) as raised:
        await third.next()
    assert raised.value.reason == SHUTDOWN
    with pytest.raises(Dropped):
        await hub.subscribe()


def _organization() -> Organization:
    now = datetime.now(UTC)
    record = OrganizationRecord(
        id=uuid4(),
        kind=OrganizationKind.CUSTOMER,
        status=OrganizationStatus.ACTIVE,
        short_name="Copaco",
        full_name="Copaco B.V.",
        parent_id=uuid4(),
        erp_id="1",
        registration_number=None,
        tax_id=None,
        currency="EUR",
        industry=None,
        created_at=now,
        created_by="tester",
        created_by_org_id=None,
        approved_at=None,
        approved_by=None,
        version=2,
    )
    return Organization.from_record(record)


def test_contact_values_are_hidden_from_those_who_may_not_read_contacts() -> None:
    event = _event(
        EventType.CUSTOMER_UPDATED,
        FieldChange("erpId", "1", "2"),
        FieldChange("primaryContact.email", "jan@copaco.nl", "piet@copaco.nl"),
    )
    hidden = OrganizationEvent.from_event(event, _organization(), contacts=False)
    shown = OrganizationEvent.from_event(event, _organization(), contacts=True)
    assert [(c.field, c.old_value, c.new_value) for c in hidden.changes] == [
        ("erpId", "1", "2"),
        ("primaryContact.email", None, None),
    ]
    assert [(c.old_value, c.new_value) for c in shown.changes][1] == (
        "jan@copaco.nl",
        "piet@copaco.nl",
    )


@pytest.mark.parametrize(
    "message, ok",
    [
        ({"type": "connection_init"}, True),
        ({"type": "ping", "payload": {"any": 1}}, True),
        ({"type": "subscribe", "id": "1", "payload": {"query": "subscription { x }"}}, True),
        ({"type": "subscribe", "id": "", "payload": {"query": "q"}}, False),
        ({"type": "subscribe", "id": "x" * 129, "payload": {"query": "q"}}, False),
        ({"type": "subscribe", "id": "1", "payload": {"query": "q", "variables": []}}, False),
        ({"type": "subscribe", "id": "1", "payload": {"query": "q", "operationName": 1}}, False),
        ({"type": "complete", "id": 1}, False),
        ({"type": None}, False),
        ([], False),
    ],
)
def test_only_well_formed_messages_reach_the_handler(message: object, ok: bool) -> None:
    assert well_formed(message) is ok


def test_connection_parameters_are_read_in_any_case() -> None:
    assert parameter({"authorization": "Bearer t"}, "Authorization") == "Bearer t"
    assert parameter({"X-ORGANIZATION-ID": "o"}, "X-Organization-ID") == "o"
    assert parameter({1: "x"}, "Authorization") is None


class _BrokenHub:
    async def subscribe(self, kinds: object = None) -> object:
        raise RuntimeError("secret-canary from a bug")


async def test_a_failing_subscription_is_masked_like_a_failing_query() -> None:
    """A subscription's results are sent one by one while its operation is still running:
    each is masked before it goes out, not at the end."""
    from starlette.requests import Request

    from graph.core.context import Context
    from graph.schema import build_schema
    from resolvers.actors import Actor, Role
    from settings import Settings

    actor = Actor(
        subject="s",
        org_id=uuid4(),
        org_kind=OrganizationKind.RESELLER,
        org_ancestors=(uuid4(),),
        roles=frozenset({Role.ADMIN}),
    )
    context = Context(
        request=Request({"type": "http", "method": "POST", "headers": [], "path": "/"}),
        response=None,  # type: ignore[arg-type]
        settings=Settings(),
        request_id="req-1",
        actor=actor,
        hub=_BrokenHub(),  # type: ignore[arg-type]
    )
    stream = await build_schema().subscribe(
        "subscription { organizationEvents { id } }", context_value=context
    )
    async for result in stream:  # type: ignore[union-attr]
        # What a transport sends now, while the operation is still open.
        (error,) = result.errors
        sent = (error.message, error.extensions)
        break
    await stream.aclose()  # type: ignore[union-attr]
    assert "secret-canary" not in sent[0]
    assert sent[1] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-1"}
