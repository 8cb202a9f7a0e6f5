"""The in-process hub: every event this process hears of, fanned out to its subscribers.

One hub per process. A feed (feeds.py) tells it about new events, in commit order: on
PostgreSQL a LISTEN connection that hears every process's commits, on SQLite a poller of the
outbox. The hub hands each event to the subscribers that asked for its kind; what each may see
is decided per subscriber, per event, when the event is shown (graph/live/).

Each subscriber has a bounded queue. A subscriber that does not keep up (its client reads
slower than events arrive) is dropped when the queue is full, never left to grow memory:
`Subscriber.next` then raises `Dropped`, and the connection is closed saying why.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Iterable
from typing import Protocol

from models import EventType
from resolvers.live.events import LiveEvent

log = logging.getLogger("portal.live")


class Dropped(Exception):
    """The subscriber was removed: SLOW (its queue overflowed) or SHUTDOWN."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


SLOW, SHUTDOWN = "SLOW", "SHUTDOWN"


class Subscriber:
    def __init__(self, hub: Hub, kinds: frozenset[EventType] | None, limit: int) -> None:
        self.hub = hub
        self.kinds = kinds
        self.limit = limit
        self.dropped: str | None = None
        self._queue: deque[LiveEvent] = deque()
        self._ready = asyncio.Event()

    def wants(self, event: LiveEvent) -> bool:
        return self.kinds is None or event.type in self.kinds

    def offer(self, event: LiveEvent) -> None:
        if self.dropped:
            return
        if len(self._queue) >= self.limit:
            self.drop(SLOW)
            return
        self._queue.append(event)
        self._ready.set()

    def drop(self, reason: str) -> None:
        if self.dropped is None:
            self.dropped = reason
            self._queue.clear()
            self._ready.set()
            self.hub.unsubscribe(self)

    async def next(self) -> LiveEvent:
        while not self._queue:
            if self.dropped:
                raise Dropped(self.dropped)
            self._ready.clear()
            await self._ready.wait()
        if self.dropped:
            raise Dropped(self.dropped)
        return self._queue.popleft()

    def close(self) -> None:
        self.hub.unsubscribe(self)


class Feed(Protocol):
    async def start(self) -> None:
        """Return once every event committed from now on will be published."""

    def idle(self) -> None:
        """No subscribers are left (a feed may pause)."""

    async def stop(self) -> None: ...


class Hub:
    def __init__(self, feed: Callable[[Hub], Feed], *, queue_size: int) -> None:
        self.queue_size = queue_size
        self.subscribers: set[Subscriber] = set()
        self.feed = feed(self)
        self.stopping = False

    @property
    def count(self) -> int:
        return len(self.subscribers)

    async def subscribe(self, kinds: Iterable[EventType] | None = None) -> Subscriber:
        if self.stopping:
            raise Dropped(SHUTDOWN)
        subscriber = Subscriber(
            self, frozenset(kinds) if kinds is not None else None, self.queue_size
        )
        # Registered before the feed starts: an event published while it starts is kept.
        self.subscribers.add(subscriber)
        try:
            await self.feed.start()
        except BaseException:
            subscriber.close()
            raise
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)
        if not self.subscribers:
            self.feed.idle()

    def publish(self, events: Iterable[LiveEvent]) -> None:
        """Hand events (in commit order) to every subscriber that wants them."""
        for event in events:
            for subscriber in list(self.subscribers):
                if subscriber.wants(event):
                    subscriber.offer(event)
                    if subscriber.dropped == SLOW:
                        log.warning("live: slow subscriber dropped queue_size=%d", self.queue_size)

    async def stop(self) -> None:
        """Shutdown: end every subscription (their connections are closed) and the feed."""
        self.stopping = True
        for subscriber in list(self.subscribers):
            subscriber.drop(SHUTDOWN)
        await self.feed.stop()
