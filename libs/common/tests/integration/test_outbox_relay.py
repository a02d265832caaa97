"""Outbox relay against a real PostgreSQL and a real nats-server."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from google.protobuf.wrappers_pb2 import StringValue
from nats.js import JetStreamContext
from prometheus_client import REGISTRY
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm_common.db import UnitOfWork
from crm_common.events.envelope import NewEvent, parse_envelope
from crm_common.events.relay import OutboxRelay
from crm_common.events.streams import EVENTS_STREAM
from crm_common.events.tables import OutboxMessage
from crm_devstack.nats import NatsServer

SUBJECT = "crm.test.lead.created"
Sessions = async_sessionmaker[AsyncSession]


def make_events(count: int, subject: str = SUBJECT) -> list[NewEvent]:
    return [
        NewEvent(type=subject, tenant_id="t1", subject_id=str(n), payload=StringValue(value=str(n)))
        for n in range(count)
    ]


async def commit_events(sessions: Sessions, events: list[NewEvent], relay: OutboxRelay) -> None:
    async with UnitOfWork(sessions, source="test", on_commit=relay.wake) as uow:
        for event in events:
            uow.record(event)
        await uow.commit()


def make_relay(sessions: Sessions, js: JetStreamContext, **kwargs: float) -> OutboxRelay:
    service = f"svc_{uuid.uuid4().hex[:8]}"  # own metric series per test
    options = {"poll_seconds": 30.0, "publish_timeout": 1.0, "max_backoff": 0.3, **kwargs}
    return OutboxRelay(sessions, lambda: js, service=service, **options)  # type: ignore[arg-type]


async def stream_event_ids(js: JetStreamContext) -> list[str]:
    """Event ids of every message in CRM_EVENTS, in stream order; checks Nats-Msg-Id."""
    info = await js.stream_info(EVENTS_STREAM)
    ids: list[str] = []
    if not info.state.messages:
        return ids
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        msg = await js.get_msg(EVENTS_STREAM, seq)
        envelope = parse_envelope(msg.data or b"")
        assert (msg.headers or {})["Nats-Msg-Id"] == envelope.id
        ids.append(envelope.id)
    return ids


async def outbox_rows(sessions: Sessions) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.seq)))


def sample(name: str, relay: OutboxRelay) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": relay._service})


async def test_publishes_in_order_with_event_id_as_msg_id(
    db_sessions: Sessions, js: JetStreamContext
) -> None:
    relay = make_relay(db_sessions, js)
    events = make_events(12)
    await commit_events(db_sessions, events[:5], relay)
    await commit_events(db_sessions, events[5:], relay)
    await relay.refresh_metrics()
    assert sample("crm_outbox_backlog", relay) == 12

    assert await relay.publish_pending() == 12

    assert await stream_event_ids(js) == [e.id for e in events]
    assert all(row.published_at is not None for row in await outbox_rows(db_sessions))
    await relay.refresh_metrics()
    assert sample("crm_outbox_backlog", relay) == 0
    assert sample("crm_outbox_oldest_age_seconds", relay) == 0
    assert sample("crm_outbox_published_total", relay) == 12


async def test_run_loop_is_woken_by_commit(db_sessions: Sessions, js: JetStreamContext) -> None:
    relay = make_relay(db_sessions, js, poll_seconds=60.0)  # only wake() can explain speed
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        await asyncio.sleep(0.2)  # the first cycle found nothing; now it waits
        events = make_events(3)
        await commit_events(db_sessions, events, relay)
        for _ in range(50):
            if len(await stream_event_ids(js)) == 3:
                break
            await asyncio.sleep(0.1)
        assert await stream_event_ids(js) == [e.id for e in events]
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)


async def test_row_published_twice_is_deduplicated(
    db_sessions: Sessions, js: JetStreamContext
) -> None:
    relay = make_relay(db_sessions, js)
    [event] = make_events(1)
    await commit_events(db_sessions, [event], relay)
    assert await relay.publish_pending() == 1
    # A crash after the publish but before the commit leaves the row unpublished.
    async with db_sessions() as session, session.begin():
        await session.execute(update(OutboxMessage).values(published_at=None))

    assert await relay.publish_pending() == 1

    assert await stream_event_ids(js) == [event.id]
    assert (await js.stream_info(EVENTS_STREAM)).state.messages == 1


async def test_survives_nats_outage_and_catches_up_in_order(
    db_sessions: Sessions, js: JetStreamContext, nats_server: NatsServer
) -> None:
    relay = make_relay(db_sessions, js, poll_seconds=0.05, publish_timeout=0.3)
    before, during = make_events(3), make_events(5)
    await commit_events(db_sessions, before, relay)
    assert await relay.publish_pending() == 3
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        nats_server.kill()
        await commit_events(db_sessions, during, relay)  # the request path is not blocked
        for _ in range(100):
            rows = await outbox_rows(db_sessions)
            if all(row.attempts > 0 for row in rows[3:]) and sample("crm_outbox_backlog", relay):
                break
            await asyncio.sleep(0.1)
        assert not task.done()
        assert all(row.published_at is None and row.attempts > 0 for row in rows[3:])
        assert rows[3].last_error
        assert sample("crm_outbox_backlog", relay) == 5
        assert (sample("crm_outbox_publish_failures_total", relay) or 0) >= 1

        await asyncio.to_thread(nats_server.start)  # same port, same store
        for _ in range(150):
            if all(row.published_at for row in await outbox_rows(db_sessions)):
                break
            await asyncio.sleep(0.1)
        assert await stream_event_ids(js) == [e.id for e in before + during]
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)


async def test_two_relays_publish_each_event_once(
    db_sessions: Sessions, js: JetStreamContext
) -> None:
    relays = [make_relay(db_sessions, js, batch_size=7) for _ in range(2)]
    events = make_events(60)
    await commit_events(db_sessions, events, relays[0])

    async def drain(relay: OutboxRelay) -> int:
        total = 0
        for _ in range(100):
            total += await relay.publish_pending()
            async with db_sessions() as session:
                left = await session.scalar(
                    select(func.count()).where(OutboxMessage.published_at.is_(None))
                )
            if not left:
                return total
            await asyncio.sleep(0)
        raise AssertionError("backlog not drained")

    counts = await asyncio.gather(*(drain(relay) for relay in relays))

    assert sum(counts) == 60  # nobody published a row another relay held
    assert await stream_event_ids(js) == [e.id for e in events]


async def test_purge_deletes_only_old_published_rows(
    db_sessions: Sessions, js: JetStreamContext
) -> None:
    relay = make_relay(db_sessions, js)
    await commit_events(db_sessions, make_events(4), relay)
    assert await relay.publish_pending() == 4
    await commit_events(db_sessions, make_events(2), relay)  # unpublished: never purged

    assert await relay.purge_published(timedelta(days=1)) == 0
    assert await relay.purge_published(timedelta(0)) == 4
    assert len(await outbox_rows(db_sessions)) == 2
