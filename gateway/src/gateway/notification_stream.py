"""Live notifications as Server-Sent Events, fed by the notifications service's
server-streaming Watch call: a ``ready`` event (unread count) once the service is
listening, a ``notification`` event per new notification, a comment line as a
heartbeat while nothing happens. When the client goes, Starlette cancels the
generator and the Watch call is cancelled with it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import grpc
from fastapi.responses import StreamingResponse

from crm.notifications.v1 import notifications_pb2 as pb
from gateway.config import GatewaySettings
from gateway.mappers_notifications import notification_read

HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


async def open_stream(
    notifications: Any, settings: GatewaySettings, max_seconds: float | None
) -> StreamingResponse:
    """The first answer is awaited here, so a refusal (401/403) is an ordinary problem
    response rather than a broken stream. The stream ends after ``max_seconds`` (at
    most the configured maximum)."""
    limit = settings.notifications_stream_max_seconds
    seconds = limit if max_seconds is None else min(max_seconds, limit)
    call = notifications.Watch(pb.WatchRequest(), timeout=limit)
    try:
        first = await call.read()
    except BaseException:
        call.cancel()
        raise
    if first is grpc.aio.EOF:
        call.cancel()
        first = pb.WatchEvent(unread_count=0)
    ends_at = asyncio.get_running_loop().time() + seconds
    events = _events(call, first, settings.notifications_heartbeat_seconds, ends_at)
    return StreamingResponse(events, media_type="text/event-stream", headers=HEADERS)


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def _events(
    call: Any, first: pb.WatchEvent, heartbeat: float, ends_at: float
) -> AsyncIterator[str]:
    yield _sse("ready", {"unread_count": first.unread_count})
    loop = asyncio.get_running_loop()
    pending: asyncio.Future[Any] = asyncio.ensure_future(call.read())
    try:
        while (left := ends_at - loop.time()) > 0:
            # wait, not wait_for: a heartbeat must not cancel the read in flight.
            done, _ = await asyncio.wait({pending}, timeout=min(heartbeat, left))
            if not done:
                if loop.time() < ends_at:
                    yield ": heartbeat\n\n"
                continue
            event = pending.result()  # an upstream error ends the stream
            if event is grpc.aio.EOF:
                return
            if event.HasField("notification"):
                body = notification_read(event.notification).model_dump(mode="json")
                yield _sse("notification", body)
            pending = asyncio.ensure_future(call.read())
    finally:
        pending.cancel()
        call.cancel()
