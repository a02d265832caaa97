"""The SSE generator over a Watch call (a fake call): the ready event first,
heartbeats while idle, a notification event each, the end at EOF or at the
stream's age limit, and the call cancelled whatever way it ends."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import grpc

from crm.notifications.v1 import notifications_pb2 as pb
from gateway.notification_stream import _events


class FakeCall:
    def __init__(self) -> None:
        self.queue: asyncio.Queue[object] = asyncio.Queue()
        self.cancelled = False

    async def read(self) -> object:
        return await self.queue.get()

    def cancel(self) -> bool:
        self.cancelled = True
        return True


def notification() -> pb.Notification:
    return pb.Notification(
        id=str(uuid.uuid4()), type="deal_moved", title="t", body="b", record_type="deal",
        record_id=str(uuid.uuid4()), event_id=str(uuid.uuid4()),
    )  # fmt: skip


async def collect(events: AsyncIterator[str], count: int) -> list[str]:
    return [await anext(events) for _ in range(count)]


async def test_ready_heartbeat_notification_then_eof() -> None:
    call = FakeCall()
    loop = asyncio.get_running_loop()
    events = _events(call, pb.WatchEvent(unread_count=3), 0.05, loop.time() + 30)
    first, heartbeat = await collect(events, 2)
    assert first == 'event: ready\ndata: {"unread_count":3}\n\n'
    assert heartbeat == ": heartbeat\n\n"
    item = notification()
    call.queue.put_nowait(pb.WatchEvent(notification=item))
    received = await anext(events)
    while received.startswith(":"):  # heartbeats may come first on a slow machine
        received = await anext(events)
    assert received.startswith("event: notification\n") and item.id in received
    call.queue.put_nowait(grpc.aio.EOF)
    assert [e async for e in events if not e.startswith(":")] == []
    assert call.cancelled


async def test_the_stream_ends_at_its_age_limit_and_cancels_the_call() -> None:
    call = FakeCall()
    loop = asyncio.get_running_loop()
    events = _events(call, pb.WatchEvent(unread_count=0), 10.0, loop.time() + 0.05)
    assert (await anext(events)).startswith("event: ready")
    assert [e async for e in events] == []
    assert call.cancelled


async def test_a_client_that_goes_away_cancels_the_call() -> None:
    call = FakeCall()
    loop = asyncio.get_running_loop()
    events = _events(call, pb.WatchEvent(unread_count=0), 0.01, loop.time() + 30)
    await collect(events, 2)  # ready, then waiting with a read in flight
    await events.aclose()  # what Starlette does when the client disconnects
    assert call.cancelled
