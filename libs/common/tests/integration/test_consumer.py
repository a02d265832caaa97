"""Idempotent consumer against a real PostgreSQL and a real nats-server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import pytest_asyncio
from google.protobuf.wrappers_pb2 import StringValue
from nats.js import JetStreamContext
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY
from sqlalchemy import Column, MetaData, String, Table, Uuid, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from crm.common.v1 import events_pb2
from crm_common.db import UnitOfWork
from crm_common.events.consumer import EventConsumer
from crm_common.events.envelope import NewEvent, build_envelope
from crm_common.events.relay import OutboxRelay
from crm_common.events.streams import DLQ_STREAM
from crm_common.events.tables import InboxEntry
from crm_devstack.nats import NatsServer

SUBJECT = "crm.test.deal.won"
Sessions = async_sessionmaker[AsyncSession]

# A business table of the test only: what handlers write, to see commits and rollbacks.
side_effects_metadata = MetaData()
side_effects = Table(
    "test_side_effects",
    side_effects_metadata,
    Column("event_id", Uuid, primary_key=True),
    Column("note", String(50)),
)


@pytest_asyncio.fixture
async def sessions(db_sessions: Sessions, db_engine: AsyncEngine) -> Sessions:
    async with db_engine.begin() as conn:
        await conn.run_sync(side_effects_metadata.create_all)
        await conn.execute(side_effects.delete())
    return db_sessions


@dataclass
class Recorder:
    """Handler that records calls, writes a side effect, then fails while ``fail`` > 0."""

    fail: int = 0
    calls: list[str] = field(default_factory=list)

    async def __call__(self, uow: UnitOfWork, envelope: events_pb2.Envelope) -> None:
        self.calls.append(envelope.id)
        await uow.session.execute(insert(side_effects).values(event_id=uuid.UUID(envelope.id)))
        if self.fail > 0:
            self.fail -= 1
            raise ValueError("boom\nsecond line")


def envelope_bytes(n: int = 0) -> tuple[str, bytes]:
    event = NewEvent(type=SUBJECT, tenant_id="t1", subject_id=str(n), payload=StringValue())
    return event.id, build_envelope(event, source="test").SerializeToString()


def make_consumer(
    sessions: Sessions, js: JetStreamContext, handler: Recorder, **kwargs: float
) -> EventConsumer:
    options = {"max_deliveries": 3, "retry_backoff": 0.02, "max_retry_backoff": 0.05, **kwargs}
    return EventConsumer(
        f"test_{uuid.uuid4().hex[:8]}",
        [SUBJECT, "crm.test.other.>"],
        handler,
        lambda: UnitOfWork(sessions, source="test"),
        lambda: js,
        **options,  # type: ignore[arg-type]
    )


async def drain(consumer: EventConsumer, done: Callable[[], Awaitable[bool]]) -> None:
    for _ in range(60):
        await consumer.process_batch(timeout=0.1)
        if await done():
            return
    raise AssertionError("condition not reached")


async def count(sessions: Sessions, table: object) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def consumed(consumer: EventConsumer, outcome: str, subject: str = SUBJECT) -> float:
    labels = {"consumer": consumer.name, "subject": subject, "outcome": outcome}
    return REGISTRY.get_sample_value("crm_events_consumed_total", labels) or 0.0


async def test_handler_called_once_per_event(sessions: Sessions, js: JetStreamContext) -> None:
    handler = Recorder()
    consumer = make_consumer(sessions, js, handler)
    ids = []
    for n in range(5):
        event_id, data = envelope_bytes(n)
        await js.publish(SUBJECT, data, headers={"Nats-Msg-Id": event_id})
        ids.append(event_id)

    await drain(consumer, lambda: _equal(len(handler.calls), 5))
    await consumer.process_batch(timeout=0.1)  # nothing left: no second call

    assert handler.calls == ids
    assert await count(sessions, InboxEntry.__table__) == 5
    assert await count(sessions, side_effects) == 5
    assert consumed(consumer, "handled") == 5
    assert REGISTRY.get_sample_value("crm_consumer_pending", {"consumer": consumer.name}) == 0


async def test_redelivered_event_is_handled_once(sessions: Sessions, js: JetStreamContext) -> None:
    handler = Recorder()
    consumer = make_consumer(sessions, js, handler)
    event_id, data = envelope_bytes()
    await js.publish(SUBJECT, data, headers={"Nats-Msg-Id": event_id})
    await js.publish(SUBJECT, data, headers={"Nats-Msg-Id": f"{event_id}-again"})

    await drain(consumer, lambda: _equal(consumed(consumer, "duplicate"), 1))

    assert handler.calls == [event_id]
    assert consumed(consumer, "handled") == 1
    assert await count(sessions, side_effects) == 1


async def test_failing_handler_is_dead_lettered(sessions: Sessions, js: JetStreamContext) -> None:
    handler = Recorder(fail=100)
    consumer = make_consumer(sessions, js, handler)
    event_id, data = envelope_bytes()
    await js.publish(SUBJECT, data, headers={"Nats-Msg-Id": event_id, "traceparent": "tp"})

    await drain(consumer, lambda: _dlq_has(js, 1))
    assert await consumer.process_batch(timeout=0.2) == 0  # terminated: no redelivery

    assert handler.calls == [event_id] * 3
    dead = await js.get_msg(DLQ_STREAM, 1)
    assert dead.subject == f"dlq.{consumer.name}.{SUBJECT}"
    assert dead.data == data
    headers = dead.headers or {}
    assert headers["Crm-Consumer"] == consumer.name
    assert headers["Crm-Error"] == "ValueError: boom second line"
    assert headers["Crm-Original-Subject"] == SUBJECT
    assert headers["Crm-Original-Msg-Id"] == event_id
    assert headers["traceparent"] == "tp"
    assert consumed(consumer, "failed") == 2
    assert consumed(consumer, "dead_lettered") == 1
    assert await count(sessions, side_effects) == 0  # every attempt rolled back
    assert await count(sessions, InboxEntry.__table__) == 0


async def test_undecodable_message_is_dead_lettered_at_once(
    sessions: Sessions, js: JetStreamContext
) -> None:
    handler = Recorder()
    consumer = make_consumer(sessions, js, handler)
    await js.publish("crm.test.other.thing", b"\xff\xfenot protobuf")

    await drain(consumer, lambda: _dlq_has(js, 1))

    assert handler.calls == []
    dead = await js.get_msg(DLQ_STREAM, 1)
    assert dead.subject == f"dlq.{consumer.name}.crm.test.other.thing"
    assert (dead.headers or {})["Crm-Error"].startswith("undecodable event")


async def test_failed_attempt_rolls_back_and_is_redelivered(
    sessions: Sessions, js: JetStreamContext
) -> None:
    handler = Recorder(fail=1)
    consumer = make_consumer(sessions, js, handler)
    event_id, data = envelope_bytes()
    await js.publish(SUBJECT, data, headers={"Nats-Msg-Id": event_id})

    await drain(consumer, lambda: _equal(len(handler.calls), 1))
    # The handler wrote, then raised: no side effect, no inbox row, no ack.
    assert await count(sessions, side_effects) == 0
    assert await count(sessions, InboxEntry.__table__) == 0

    await drain(consumer, lambda: _equal(consumed(consumer, "handled"), 1))
    assert handler.calls == [event_id, event_id]
    assert await count(sessions, side_effects) == 1
    assert await count(sessions, InboxEntry.__table__) == 1
    redeliveries = {"consumer": consumer.name}
    assert REGISTRY.get_sample_value("crm_consumer_redeliveries_total", redeliveries) == 1


async def test_consumer_span_continues_producer_trace(
    sessions: Sessions, js: JetStreamContext, spans: InMemorySpanExporter
) -> None:
    handler = Recorder()
    consumer = make_consumer(sessions, js, handler)
    relay = OutboxRelay(sessions, lambda: js, service="trace_test", poll_seconds=30)
    with trace.get_tracer("test").start_as_current_span("request") as producer:
        async with UnitOfWork(sessions, source="test") as uow:
            uow.record(
                NewEvent(type=SUBJECT, tenant_id="t1", subject_id="x", payload=StringValue())
            )
            await uow.commit()
    assert await relay.publish_pending() == 1

    await drain(consumer, lambda: _equal(len(handler.calls), 1))

    by_kind = {span.kind: span for span in spans.get_finished_spans()}
    consumer_span = by_kind[trace.SpanKind.CONSUMER]
    publish_span = by_kind[trace.SpanKind.PRODUCER]
    producer_context = producer.get_span_context()
    for span in (consumer_span, publish_span):
        assert span.context is not None and span.parent is not None
        assert span.context.trace_id == producer_context.trace_id
        assert span.parent.span_id == producer_context.span_id


async def test_run_survives_nats_outage(
    sessions: Sessions, js: JetStreamContext, nats_server: NatsServer
) -> None:
    handler = Recorder()
    consumer = make_consumer(sessions, js, handler, fetch_timeout=0.2, max_backoff=0.3)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        await asyncio.sleep(0.3)
        nats_server.kill()
        await asyncio.sleep(1.0)
        assert not task.done()
        await asyncio.to_thread(nats_server.start)
        event_id, data = envelope_bytes()
        await _publish_when_connected(js, data, event_id)
        for _ in range(100):
            if handler.calls:
                break
            await asyncio.sleep(0.1)
        assert handler.calls == [event_id]
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)


async def _publish_when_connected(js: JetStreamContext, data: bytes, event_id: str) -> None:
    for _ in range(50):
        try:
            await js.publish(SUBJECT, data, headers={"Nats-Msg-Id": event_id}, timeout=0.5)
            return
        except Exception:  # still reconnecting
            await asyncio.sleep(0.1)
    raise AssertionError("NATS did not come back")


async def _equal(actual: float, expected: float) -> bool:
    return actual == expected


async def _dlq_has(js: JetStreamContext, messages: int) -> bool:
    return (await js.stream_info(DLQ_STREAM)).state.messages == messages


async def test_a_from_now_consumer_skips_what_came_before(
    sessions: Sessions, js: JetStreamContext
) -> None:
    handler = Recorder()
    old_id, old = envelope_bytes()
    await js.publish(SUBJECT, old, headers={"Nats-Msg-Id": old_id})
    consumer = make_consumer(sessions, js, handler, from_now=True)
    await consumer.process_batch(timeout=0.2)  # creates the durable consumer
    new_id, new = envelope_bytes()
    await js.publish(SUBJECT, new, headers={"Nats-Msg-Id": new_id})

    await drain(consumer, lambda: _equal(consumed(consumer, "handled"), 1))

    assert handler.calls == [new_id]
