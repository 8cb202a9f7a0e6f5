"""Where the hub hears of new events: PostgreSQL's LISTEN/NOTIFY, or polling SQLite.

PostgreSQL (every process gets every event, no broker): the outbox's trigger (migration 0008)
sends `NOTIFY portal_events, '<event id>'` with each change's commit. Each process keeps ONE
connection of its own for LISTEN, outside the pool: the pool skips asyncpg's reset query
(models/database.py), so a LISTEN on a pooled connection would stay on it for whoever takes it
next. The connection is checked every few seconds; when it is lost (the server restarted, a
network cut, an operator's pg_terminate_backend) it is opened again with growing waits, and
the events committed meanwhile are read back from the outbox (those newer than the last one
heard, up to CATCH_UP_LIMIT), so a short outage loses nothing.

SQLite (one process): the outbox is polled by rowid every PORTAL_SUBSCRIPTION_POLL_SECONDS,
while anyone subscribes. SQLite has a single writer and gives a new row the highest rowid so
far, so rowid order is commit order.

Logs carry exception class names and counts, never payloads or values.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from models.database import Unavailable, dedicated_connection
from resolvers import sql
from resolvers.live import events
from resolvers.live.hub import Feed, Hub
from settings import Settings

log = logging.getLogger("portal.live")
CHANNEL = "portal_events"
LISTEN_NAME = "partner-portal-listen"
CHECK_SECONDS = 5.0
FIRST_RETRY_SECONDS, LAST_RETRY_SECONDS = 0.2, 30.0
BATCH = 200
CATCH_UP_LIMIT = 1000
# How far before the last event heard the catch-up looks: clocks of several processes differ.
CATCH_UP_MARGIN = timedelta(seconds=5)
RECENT_IDS = 5000


class PostgresFeed:
    def __init__(self, hub: Hub, settings: Settings) -> None:
        self.hub = hub
        self.settings = settings
        self.ids: asyncio.Queue[UUID] = asyncio.Queue(maxsize=10 * CATCH_UP_LIMIT)
        self.listening = asyncio.Event()
        self.reconnects = 0
        self.tasks: list[asyncio.Task[None]] = []
        self.last_heard: datetime | None = None
        self.recent: deque[UUID] = deque(maxlen=RECENT_IDS)
        self.recent_set: set[UUID] = set()

    async def start(self) -> None:
        if not self.tasks:
            self.tasks = [
                asyncio.create_task(self._listen(), name="live-listen"),
                asyncio.create_task(self._dispatch(), name="live-dispatch"),
            ]
        try:
            async with asyncio.timeout(self.settings.db_acquire_timeout_seconds):
                await self.listening.wait()
        except TimeoutError:
            message = "Live events are unavailable right now; try again in a moment."
            raise Unavailable(message) from None

    def idle(self) -> None:
        pass  # one connection per process; it stays for the next subscriber

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
        self.tasks = []

    def _notified(self, connection: object, pid: int, channel: str, payload: str) -> None:
        try:
            event_id = UUID(payload)
        except ValueError:
            return  # not ours: only the trigger notifies this channel
        try:
            self.ids.put_nowait(event_id)
        except asyncio.QueueFull:
            log.warning("live: notification backlog full, event skipped")

    async def _listen(self) -> None:
        wait = FIRST_RETRY_SECONDS
        while True:
            try:
                connection = await dedicated_connection(self.settings, name=LISTEN_NAME)
            except Exception as error:  # whatever it was, this loop must go on
                log.warning(
                    "live: LISTEN connect failed error=%s retry_in=%.1fs", _name(error), wait
                )
                await asyncio.sleep(wait * random.uniform(0.8, 1.2))
                wait = min(wait * 2, LAST_RETRY_SECONDS)
                continue
            try:
                await self._hold(connection)
                wait = FIRST_RETRY_SECONDS
            except Exception as error:  # lost, or worse: reconnect either way
                log.warning("live: LISTEN connection lost error=%s", _name(error))
            finally:
                connection.terminate()
            self.reconnects += 1
            await asyncio.sleep(wait * random.uniform(0.8, 1.2))
            wait = min(wait * 2, LAST_RETRY_SECONDS)

    async def _hold(self, connection: asyncpg.Connection) -> None:
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _: lost.set())
        await connection.add_listener(CHANNEL, self._notified)
        if self.listening.is_set():
            log.info("live: LISTEN connection restored")
            await self._catch_up()
        else:  # heard from here on: an outage is caught up from here at the latest
            self.last_heard = datetime.now(UTC)
        self.listening.set()
        while not lost.is_set():
            try:
                async with asyncio.timeout(CHECK_SECONDS):
                    await lost.wait()
            except TimeoutError:
                await connection.fetchval("SELECT 1", timeout=CHECK_SECONDS)
        log.warning("live: LISTEN connection closed by the server")

    async def _catch_up(self) -> None:
        """After an outage: the events committed since the last one heard (notifications sent
        while nobody listened are gone)."""
        if self.last_heard is None or not self.hub.subscribers:
            return
        rows = await sql.fetch(
            'SELECT "id" FROM "webhook_event" WHERE "occurred_at" > $1 '
            'ORDER BY "occurred_at", "id" LIMIT $2',
            self.last_heard - CATCH_UP_MARGIN,
            CATCH_UP_LIMIT,
        )
        for row in rows:
            event_id = row["id"] if isinstance(row["id"], UUID) else UUID(str(row["id"]))
            if event_id not in self.recent_set:
                self._notified(None, 0, CHANNEL, str(event_id))

    async def _dispatch(self) -> None:
        while True:
            batch = [await self.ids.get()]
            while len(batch) < BATCH and not self.ids.empty():
                batch.append(self.ids.get_nowait())
            fresh = [i for i in batch if i not in self.recent_set]
            for event_id in fresh:
                self._remember(event_id)
            if not fresh or not self.hub.subscribers:
                continue
            try:
                found = await events.by_ids(fresh)
            except Exception as error:  # the database is away: these events are skipped
                log.warning(
                    "live: reading events failed error=%s count=%d", _name(error), len(fresh)
                )
                continue
            if found:
                self.last_heard = max(
                    self.last_heard or found[-1].occurred_at, found[-1].occurred_at
                )
            self.hub.publish(found)

    def _remember(self, event_id: UUID) -> None:
        if len(self.recent) == self.recent.maxlen:
            self.recent_set.discard(self.recent[0])
        self.recent.append(event_id)
        self.recent_set.add(event_id)


class SqlitePoller:
    def __init__(self, hub: Hub, settings: Settings) -> None:
        self.hub = hub
        self.every = settings.subscription_poll_seconds
        self.task: asyncio.Task[None] | None = None
        self.lock = asyncio.Lock()

    async def start(self) -> None:
        async with self.lock:
            if self.task is None:
                position = await events.last_position()
                self.task = asyncio.create_task(self._poll(position), name="live-poll")

    def idle(self) -> None:
        # Nobody listens: stop reading; the next subscriber starts from the newest event.
        if self.task is not None:
            self.task.cancel()
            self.task = None

    async def stop(self) -> None:
        task, self.task = self.task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass

    async def _poll(self, position: int) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                while True:
                    position, found = await events.after(position, BATCH)
                    self.hub.publish(found)
                    if len(found) < BATCH:
                        break
            except Exception as error:  # busy or away: the next poll reads from the same place
                log.warning("live: polling events failed error=%s", _name(error))


def feed_for(settings: Settings) -> type[PostgresFeed] | type[SqlitePoller]:
    return SqlitePoller if settings.database_url.startswith("sqlite") else PostgresFeed


def build_hub(settings: Settings) -> Hub:
    kind = feed_for(settings)

    def feed(hub: Hub) -> Feed:
        return kind(hub, settings)

    return Hub(feed, queue_size=settings.subscription_queue_size)


def _name(error: BaseException) -> str:
    return type(error).__name__
