from __future__ import annotations

from pathlib import Path

import nats
import psutil
from nats.js.api import StreamConfig

from crm_devstack.nats import NatsServer, start_nats_server
from crm_devstack.testing import unique_name


async def _publish_one(url: str, stream: str, subject: str) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await js.add_stream(StreamConfig(name=stream, subjects=[subject]))
        ack = await js.publish(subject, b"hello")
        assert ack.stream == stream
    finally:
        await nc.close()


async def _fetch_all(url: str, stream: str, subject: str) -> list[bytes]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        info = await js.stream_info(stream)
        subscription = await js.pull_subscribe(subject, durable="reader", stream=stream)
        messages = await subscription.fetch(int(info.state.messages), timeout=2)
        for message in messages:
            await message.ack()
        return [message.data for message in messages]
    finally:
        await nc.close()


async def test_jetstream_is_enabled(tmp_path: Path) -> None:
    server = start_nats_server(tmp_path / "nats")
    try:
        stream, subject = unique_name("S").upper(), f"{unique_name('crm')}.thing.created"
        await _publish_one(server.url, stream, subject)
        assert await _fetch_all(server.url, stream, subject) == [b"hello"]
    finally:
        server.stop()


async def test_restart_keeps_port_and_stream(tmp_path: Path) -> None:
    server = start_nats_server(tmp_path / "nats")
    try:
        url, first_pid = server.url, server.pid
        stream, subject = unique_name("S").upper(), "crm.test.thing.created"
        await _publish_one(url, stream, subject)

        server.restart()
        assert server.url == url and server.pid != first_pid
        assert await _fetch_all(url, stream, subject) == [b"hello"]
    finally:
        server.stop()


async def test_survives_a_crash_on_the_same_port(tmp_path: Path) -> None:
    server = start_nats_server(tmp_path / "nats")
    try:
        url = server.url
        stream, subject = unique_name("S").upper(), "crm.test.thing.updated"
        await _publish_one(url, stream, subject)

        server.kill()  # SIGKILL, as a crash: the store must still have the message
        assert not server.is_running()
        server.start()
        assert server.url == url
        assert await _fetch_all(url, stream, subject) == [b"hello"]
    finally:
        server.stop()


def test_stop_leaves_no_process(tmp_path: Path) -> None:
    server = NatsServer(data_dir=tmp_path / "nats")
    server.start()
    pid = server.pid
    server.stop()
    assert not psutil.pid_exists(pid)
