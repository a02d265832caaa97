"""NATS connection and the JetStream streams every service relies on.

``CRM_EVENTS`` holds all domain events (subjects ``crm.<service>.<entity>.<verb>``);
``CRM_DLQ`` holds messages consumers gave up on (``dlq.<consumer>.<original subject>``).
"""

from __future__ import annotations

import asyncio
import logging

from nats.aio.client import Client
from nats.js import JetStreamContext, api
from nats.js.errors import NotFoundError

log = logging.getLogger(__name__)

EVENTS_STREAM = "CRM_EVENTS"
DLQ_STREAM = "CRM_DLQ"
DAY_SECONDS = 24 * 3600.0

# The relay may publish a row again after a crash between publish and commit; JetStream
# drops the copy when it comes within this window (keyed by Nats-Msg-Id = event id).
DUPLICATE_WINDOW_SECONDS = 120.0


async def connect_nats(
    url: str,
    *,
    name: str,
    connect_timeout: float = 10.0,
    reconnect_wait: float = 2.0,
) -> Client:
    """Connect to NATS; once connected the client reconnects forever on its own.

    nats-py with ``max_reconnect_attempts=-1`` would also retry the *first* connect
    forever, so that is bounded by ``connect_timeout``: the caller gets an error and
    decides (retry, or fail the readiness probe) instead of hanging silently."""
    client = Client()

    async def on_error(exc: Exception) -> None:
        log.warning("nats %s: %s: %s", name, type(exc).__name__, exc)

    async def on_disconnected() -> None:
        log.warning("nats %s: disconnected from %s", name, url)

    async def on_reconnected() -> None:
        log.info("nats %s: reconnected to %s", name, client.connected_url)

    async def on_closed() -> None:
        log.info("nats %s: connection closed", name)

    connecting = client.connect(
        servers=url,
        name=name,
        allow_reconnect=True,
        max_reconnect_attempts=-1,
        reconnect_time_wait=reconnect_wait,  # type: ignore[arg-type]  # annotated int, float works
        connect_timeout=2,
        error_cb=on_error,
        disconnected_cb=on_disconnected,
        reconnected_cb=on_reconnected,
        closed_cb=on_closed,
    )
    try:
        await asyncio.wait_for(connecting, timeout=connect_timeout)
    except TimeoutError as exc:
        await client.close()
        raise ConnectionError(f"NATS at {url} not reachable within {connect_timeout:g}s") from exc
    return client


def stream_configs(*, replicas: int = 1) -> list[api.StreamConfig]:
    return [
        api.StreamConfig(
            name=EVENTS_STREAM,
            subjects=["crm.>"],
            storage=api.StorageType.FILE,
            retention=api.RetentionPolicy.LIMITS,
            max_age=7 * DAY_SECONDS,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            num_replicas=replicas,
        ),
        api.StreamConfig(
            name=DLQ_STREAM,
            subjects=["dlq.>"],
            storage=api.StorageType.FILE,
            retention=api.RetentionPolicy.LIMITS,
            max_age=30 * DAY_SECONDS,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            num_replicas=replicas,
        ),
    ]


async def ensure_streams(js: JetStreamContext, *, replicas: int = 1) -> None:
    """Create the streams, or bring an existing one's config up to date (idempotent;
    every replica of every service calls it at start-up)."""
    for config in stream_configs(replicas=replicas):
        name = config.name or ""
        try:
            await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(config)
            log.info("created JetStream stream %s", name)
        else:
            await js.update_stream(config)
