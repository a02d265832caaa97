"""Outbox relay: publishes committed outbox rows to JetStream, in order, at least once.

Rows are published with ``Nats-Msg-Id = event id`` so JetStream drops the copy when a
relay crashes between publishing and marking the row published. The relay runs as a
background task of each service process; request handlers only insert rows and call
``wake()``, so a NATS outage never blocks (or fails) the request path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta

from nats.js import JetStreamContext
from opentelemetry import propagate, trace
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm_common.events import metrics
from crm_common.events.backoff import backoff_delay, sleep_unless_stopped
from crm_common.events.outbox import (
    PendingRow,
    backlog_stats,
    claim_batch,
    delete_published,
    mark_published,
    record_failure,
    try_lock_relay,
)

log = logging.getLogger(__name__)
tracer = trace.get_tracer("crm_common.events.relay")

JetStreamGetter = Callable[[], JetStreamContext]


class OutboxRelay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        js: JetStreamGetter,
        *,
        service: str,
        poll_seconds: float,
        batch_size: int = 200,
        publish_timeout: float = 5.0,
        max_backoff: float = 5.0,
        retention: timedelta | None = timedelta(days=7),
        purge_every_seconds: float = 3600.0,
    ) -> None:
        self._sessions = sessions
        self._js = js  # a getter, so the owner may replace its NATS client at any time
        self._service = service
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._publish_timeout = publish_timeout
        self._max_backoff = max_backoff
        self._retention = retention
        self._purge_every = purge_every_seconds
        self._wakeup = asyncio.Event()
        self._failures = 0  # consecutive failed cycles, drives the backoff

    def wake(self) -> None:
        """Publish soon (the UnitOfWork ``on_commit`` hook). Cheap and never raises."""
        self._wakeup.set()

    async def run(self, stop_event: asyncio.Event) -> None:
        """Publish until ``stop_event`` is set. Never raises on NATS or database errors."""
        log.info("outbox relay of %s started", self._service)
        stopper = asyncio.create_task(self._wake_on_stop(stop_event))
        next_purge = 0.0
        try:
            while not stop_event.is_set():
                self._wakeup.clear()  # before draining: a commit during the drain re-sets it
                await self._cycle()
                if self._failures:
                    # Back off even when woken: commits keep coming while NATS is down.
                    delay = backoff_delay(self._failures, base=0.1, cap=self._max_backoff)
                    await sleep_unless_stopped(stop_event, delay)
                    continue
                if asyncio.get_running_loop().time() >= next_purge:
                    next_purge = asyncio.get_running_loop().time() + self._purge_every
                    await self._purge_quietly()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), timeout=self._poll_seconds)
        finally:
            stopper.cancel()
            log.info("outbox relay of %s stopped", self._service)

    async def publish_pending(self) -> int:
        """Publish one batch; returns how many rows were published. A NATS failure is
        recorded on the rows (attempts, last_error) and reported as a short count."""
        published, _ = await self._publish_batch()
        return published

    async def refresh_metrics(self) -> None:
        async with self._sessions() as session:
            backlog, oldest_age = await backlog_stats(session)
        metrics.OUTBOX_BACKLOG.labels(self._service).set(backlog)
        metrics.OUTBOX_OLDEST_AGE.labels(self._service).set(oldest_age)

    async def purge_published(self, older_than: timedelta) -> int:
        """Delete rows published more than ``older_than`` ago (housekeeping)."""
        async with self._sessions() as session, session.begin():
            deleted = await delete_published(session, older_than)
        if deleted:
            log.info("purged %d published outbox rows of %s", deleted, self._service)
        return deleted

    async def _cycle(self) -> None:
        """Drain the backlog batch by batch; count a failure when something went wrong."""
        try:
            while True:
                published, error = await self._publish_batch()
                if error is not None:
                    self._failures += 1
                    break
                self._failures = 0
                if published < self._batch_size:
                    break
        except Exception:  # database unreachable, etc.: keep the relay alive
            self._failures += 1
            log.exception("outbox relay of %s: cycle failed", self._service)
        with contextlib.suppress(Exception):
            await self.refresh_metrics()

    async def _publish_batch(self) -> tuple[int, Exception | None]:
        async with self._sessions() as session, session.begin():
            if not await try_lock_relay(session):
                return 0, None  # another replica is publishing right now
            rows = await claim_batch(session, self._batch_size)
            published, error = await self._publish_rows(rows)
            await mark_published(session, [row.seq for row in rows[:published]])
        metrics.OUTBOX_PUBLISHED.labels(self._service).inc(published)
        if error is not None:
            await self._record_failure(rows[published:], error)
        return published, error

    async def _publish_rows(self, rows: list[PendingRow]) -> tuple[int, Exception | None]:
        """Publish in seq order, one acknowledged publish at a time, and stop at the first
        failure: a later row must not overtake an earlier one."""
        if not rows:
            return 0, None
        try:
            js = self._js()
        except ConnectionError as exc:  # not connected yet or reconnecting: retry later
            return 0, exc
        for index, row in enumerate(rows):
            try:
                await self._publish_one(js, row)
            except Exception as exc:  # nats-py raises many types; all mean "retry later"
                return index, exc
        return len(rows), None

    async def _publish_one(self, js: JetStreamContext, row: PendingRow) -> None:
        parent = propagate.extract(row.headers)
        with tracer.start_as_current_span(
            f"{row.subject} publish",
            context=parent,
            kind=trace.SpanKind.PRODUCER,
            attributes={"messaging.system": "nats", "messaging.destination.name": row.subject},
        ):
            headers = {**row.headers, "Nats-Msg-Id": str(row.event_id)}
            await js.publish(
                row.subject, row.payload, timeout=self._publish_timeout, headers=headers
            )

    async def _record_failure(self, rows: list[PendingRow], error: Exception) -> None:
        metrics.OUTBOX_PUBLISH_FAILURES.labels(self._service).inc()
        message = f"{type(error).__name__}: {error}"
        log.warning("outbox relay of %s: publish failed: %s", self._service, message)
        # A short transaction of its own: the batch transaction has already ended.
        async with self._sessions() as session, session.begin():
            await record_failure(session, [row.seq for row in rows], message)

    async def _purge_quietly(self) -> None:
        if self._retention is None:
            return
        try:
            await self.purge_published(self._retention)
        except Exception:
            log.exception("outbox relay of %s: purge failed", self._service)

    async def _wake_on_stop(self, stop_event: asyncio.Event) -> None:
        await stop_event.wait()
        self._wakeup.set()
