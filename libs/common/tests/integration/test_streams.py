"""NATS connection and stream set-up against a real nats-server."""

from __future__ import annotations

import time

import pytest
from nats.aio.client import Client
from nats.js import JetStreamContext

from crm_common.events.streams import (
    DLQ_STREAM,
    EVENTS_STREAM,
    connect_nats,
    ensure_streams,
)
from crm_devstack.net import free_port


async def test_connect_fails_after_bounded_time_without_server() -> None:
    started = time.monotonic()
    with pytest.raises(ConnectionError):
        await connect_nats(f"nats://127.0.0.1:{free_port()}", name="t", connect_timeout=0.5)
    assert time.monotonic() - started < 3


async def test_streams_are_created_and_updated_idempotently(
    nats_client: Client, js: JetStreamContext
) -> None:
    await js.update_stream(name=EVENTS_STREAM, subjects=["crm.>"], max_age=60.0)  # drifted
    await ensure_streams(js)
    await ensure_streams(js)  # a second replica starting

    events = (await js.stream_info(EVENTS_STREAM)).config
    assert events.subjects == ["crm.>"]
    assert events.max_age == 7 * 24 * 3600
    assert events.duplicate_window == 120
    dlq = (await js.stream_info(DLQ_STREAM)).config
    assert dlq.subjects == ["dlq.>"]
    assert dlq.max_age == 30 * 24 * 3600
    assert nats_client.is_connected
