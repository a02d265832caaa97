"""Idempotent durable pull consumer of ``CRM_EVENTS``.

Per message, in one transaction: insert the inbox row (consumer, event id), run the
handler only when that row is new, commit; acknowledge only after the commit. A crash
anywhere before the ack means redelivery, and the inbox turns the second delivery into
a no-op. A handler that keeps failing is parked on ``dlq.<consumer>.<subject>``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from google.protobuf.message import DecodeError
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext, api
from opentelemetry import propagate, trace
from opentelemetry.trace import Status, StatusCode

from crm.common.v1 import events_pb2
from crm_common.db import UnitOfWork
from crm_common.events import metrics
from crm_common.events.backoff import backoff_delay, sleep_unless_stopped
from crm_common.events.deadletter import publish_dead_letter
from crm_common.events.envelope import parse_envelope
from crm_common.events.inbox import claim_event
from crm_common.events.streams import EVENTS_STREAM

log = logging.getLogger(__name__)
tracer = trace.get_tracer("crm_common.events.consumer")

Handler = Callable[[UnitOfWork, events_pb2.Envelope], Awaitable[None]]
JetStreamGetter = Callable[[], JetStreamContext]


@dataclass(frozen=True)
class FaultPause:
    """Fault injection for tests/faults: stop at ``stage`` ("before_commit" or
    "before_ack") for ``seconds``, after logging it, so a test can kill the process
    at a known point of handling an event."""

    stage: str
    seconds: float


class EventConsumer:
    def __init__(
        self,
        name: str,
        subjects: list[str],
        handler: Handler,
        uow_factory: Callable[[], UnitOfWork],
        js: JetStreamGetter,
        *,
        max_deliveries: int = 5,
        batch: int = 50,
        ack_wait: float = 30.0,
        retry_backoff: float = 1.0,
        max_retry_backoff: float = 60.0,
        fetch_timeout: float = 2.0,
        max_backoff: float = 5.0,
        stream: str = EVENTS_STREAM,
        fault_pause: FaultPause | None = None,
        from_now: bool = False,
    ) -> None:
        if "." in name or not subjects:
            raise ValueError("consumer name must be one subject token; subjects must be given")
        self.name = name
        self._subjects = subjects
        self._handler = handler
        self._uow_factory = uow_factory
        self._js = js
        self._max_deliveries = max_deliveries
        self._batch = batch
        self._ack_wait = ack_wait
        self._retry_backoff = retry_backoff
        self._max_retry_backoff = max_retry_backoff
        self._fetch_timeout = fetch_timeout
        self._max_backoff = max_backoff
        self._stream = stream
        self._fault_pause = fault_pause
        # A new durable consumer starts at the stream's oldest event, unless it only
        # cares about what happens from now on (notifications: no alerts for history).
        self._deliver_policy = api.DeliverPolicy.NEW if from_now else api.DeliverPolicy.ALL
        self._sub: JetStreamContext.PullSubscription | None = None

    async def run(self, stop_event: asyncio.Event) -> None:
        """Consume until ``stop_event`` is set; NATS or database outages are logged and
        retried with bounded backoff, never raised."""
        log.info("consumer %s started on %s", self.name, self._subjects)
        failures, started = 0, False
        try:
            while not stop_event.is_set():
                try:
                    await self.process_batch(self._fetch_timeout)
                    failures, started = 0, True
                except Exception as exc:
                    failures += 1
                    # At start-up the NATS link is still connecting: expected, not a warning.
                    waiting = not started and isinstance(exc, ConnectionError)
                    log.log(
                        logging.INFO if waiting else logging.WARNING,
                        "consumer %s: %s: %s",
                        self.name,
                        type(exc).__name__,
                        exc,
                    )
                    await self._drop_subscription()  # re-created (idempotently) next time
                    delay = backoff_delay(failures, base=0.2, cap=self._max_backoff)
                    await sleep_unless_stopped(stop_event, delay)
        finally:
            await self._drop_subscription()
            log.info("consumer %s stopped", self.name)

    async def process_batch(self, timeout: float = 1.0) -> int:  # noqa: ASYNC109 - fetch wait
        """Fetch up to ``batch`` messages (waiting up to ``timeout``), process them in
        order; returns how many were fetched."""
        sub = await self._subscription()
        info = await sub.consumer_info()
        metrics.CONSUMER_PENDING.labels(self.name).set(info.num_pending or 0)
        try:
            messages = await sub.fetch(self._batch, timeout=timeout)
        except (NatsTimeoutError, TimeoutError):
            # nats-py raises its own TimeoutError when the server says "no messages"
            # in time, and a bare asyncio one when its deadline ran out first (a
            # loaded machine): both mean an empty batch, not a broken consumer.
            return 0
        for msg in messages:
            await self._process(msg)
        return len(messages)

    async def _subscription(self) -> JetStreamContext.PullSubscription:
        if self._sub is None:
            js = self._js()
            # Create-or-update: the filters follow the code on each deploy. Redelivery is
            # unlimited on the server (max_deliver=-1) because this class decides when to
            # dead-letter; a server-side limit would drop messages silently.
            config = api.ConsumerConfig(
                name=self.name,
                durable_name=self.name,
                filter_subjects=self._subjects,
                deliver_policy=self._deliver_policy,
                ack_policy=api.AckPolicy.EXPLICIT,
                ack_wait=self._ack_wait,
                max_deliver=-1,
            )
            await js.add_consumer(self._stream, config)
            self._sub = await js.pull_subscribe_bind(durable=self.name, stream=self._stream)
        return self._sub

    async def _drop_subscription(self) -> None:
        sub, self._sub = self._sub, None
        if sub is not None:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _process(self, msg: Msg) -> None:
        started = time.perf_counter()
        if msg.metadata.num_delivered > 1:
            metrics.CONSUMER_REDELIVERIES.labels(self.name).inc()
        try:
            envelope = parse_envelope(msg.data)
            event_id = uuid.UUID(envelope.id)
        except (DecodeError, ValueError) as exc:
            # Retrying cannot fix bytes that do not parse: park them at once.
            await self._dead_letter(msg, f"undecodable event: {exc}")
            outcome = "dead_lettered"
        else:
            outcome = await self._process_event(msg, envelope, event_id)
        metrics.EVENTS_CONSUMED.labels(self.name, msg.subject, outcome).inc()
        metrics.EVENT_HANDLE_SECONDS.labels(self.name).observe(time.perf_counter() - started)

    async def _process_event(
        self, msg: Msg, envelope: events_pb2.Envelope, event_id: uuid.UUID
    ) -> str:
        carrier = {"traceparent": envelope.traceparent, "tracestate": envelope.tracestate}
        with tracer.start_as_current_span(
            f"{msg.subject} process",
            context=propagate.extract({k: v for k, v in carrier.items() if v}),
            kind=trace.SpanKind.CONSUMER,
            attributes={
                "messaging.system": "nats",
                "messaging.destination.name": msg.subject,
                "messaging.consumer.group.name": self.name,
                "messaging.message.id": envelope.id,
            },
        ) as span:
            try:
                # A handler slower than ack_wait would be redelivered while still running.
                async with asyncio.timeout(self._ack_wait):
                    handled = await self._handle_once(envelope, event_id, msg.subject)
            except Exception as exc:
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                return await self._on_failure(msg, exc)
            if handled:
                await self._pause_for_fault_test("before_ack", event_id)
            await msg.ack()  # after the commit: a lost ack only causes a duplicate
            return "handled" if handled else "duplicate"

    async def _handle_once(
        self, envelope: events_pb2.Envelope, event_id: uuid.UUID, subject: str
    ) -> bool:
        async with self._uow_factory() as uow:
            if not await claim_event(uow.session, self.name, event_id, subject):
                return False  # handled before; leaving the block rolls back nothing
            await self._handler(uow, envelope)
            await self._pause_for_fault_test("before_commit", event_id)
            await uow.commit()
        return True

    async def _pause_for_fault_test(self, stage: str, event_id: uuid.UUID) -> None:
        pause = self._fault_pause
        if pause is None or pause.stage != stage:
            return
        log.warning(
            "fault injection: consumer %s paused %s of event %s for %.1fs",
            self.name, stage, event_id, pause.seconds,
        )  # fmt: skip
        await asyncio.sleep(pause.seconds)

    async def _on_failure(self, msg: Msg, exc: Exception) -> str:
        delivered = msg.metadata.num_delivered
        if delivered >= self._max_deliveries:
            await self._dead_letter(msg, f"{type(exc).__name__}: {exc}")
            return "dead_lettered"
        delay = backoff_delay(delivered, base=self._retry_backoff, cap=self._max_retry_backoff)
        log.warning(
            "consumer %s: %s failed (delivery %d/%d), retry in %.1fs: %s",
            self.name, msg.subject, delivered, self._max_deliveries, delay, exc,
        )  # fmt: skip
        await msg.nak(delay=delay)
        return "failed"

    async def _dead_letter(self, msg: Msg, error: str) -> None:
        await publish_dead_letter(self._js(), msg, consumer=self.name, error=error)
        await msg.term()  # after the dead letter is stored: no redelivery from now on
        log.error("consumer %s: dead-lettered %s: %s", self.name, msg.subject, error)
