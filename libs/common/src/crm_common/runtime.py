"""The process skeleton every service shares: one place that wires the database,
Redis, NATS, the outbox relay, event consumers and the gRPC server, starts them
in order and stops them in reverse on SIGTERM.

A service supplies only what is its own (``ServiceParts``): servicers, event
handlers and background jobs. Nothing here runs at import time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from crm.common.v1 import access_pb2
from crm_common.auth import current_principal
from crm_common.config import CommonSettings
from crm_common.db import UnitOfWork, create_engine, session_factory
from crm_common.errors import PermissionDenied
from crm_common.events.consumer import EventConsumer, FaultPause, Handler
from crm_common.events.envelope import NewEvent
from crm_common.events.relay import OutboxRelay
from crm_common.events.streams import connect_nats, ensure_streams
from crm_common.grpc.server import GrpcServer, Registration
from crm_common.logging import configure_logging
from crm_common.metrics import start_metrics_server
from crm_common.migrations import ensure_database, upgrade
from crm_common.telemetry import configure_tracing

log = logging.getLogger("crm.runtime")


class NatsLink:
    """A NATS connection that is (re)established in the background, so a service
    starts and serves while NATS is down; the outbox keeps events until it is back."""

    def __init__(self, url: str, name: str) -> None:
        self._url = url
        self._name = name
        self.client: Client | None = None
        self._listeners: list[tuple[str, Callable[[Msg], Awaitable[None]]]] = []

    def listen(self, subject: str, callback: Callable[[Msg], Awaitable[None]]) -> None:
        """A plain (non-durable) subscription of this replica, made once connected and
        kept across reconnects: for cache invalidation, not for handling events."""
        self._listeners.append((subject, callback))

    def js(self) -> JetStreamContext:
        if self.client is None or not self.client.is_connected:
            raise ConnectionError("NATS not connected")
        return self.client.jetstream()

    async def connected(self) -> bool:
        return self.client is not None and self.client.is_connected

    async def keep_connecting(self, stop: asyncio.Event) -> None:
        delay = 0.5
        while self.client is None and not stop.is_set():
            try:
                client = await connect_nats(self._url, name=self._name, connect_timeout=5)
                await ensure_streams(client.jetstream())
                for subject, callback in self._listeners:
                    await client.subscribe(subject, cb=callback)
                self.client = client
            except Exception as exc:  # keep trying: the service runs without NATS meanwhile
                log.warning("NATS not reachable yet (%s); retrying in %.1fs", exc, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
                delay = min(delay * 2, 5.0)

    async def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                await self.client.drain()


@dataclass
class Runtime:
    """Shared infrastructure handed to a service's ``build`` function."""

    settings: CommonSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    nats: NatsLink
    relay: OutboxRelay

    def uow(self) -> UnitOfWork:
        return UnitOfWork(
            self.sessions, source=self.settings.service_name, on_commit=self.relay.wake
        )

    async def record_denied(self, method: str, exc: PermissionDenied) -> None:
        """A refused call becomes ``crm.<service>.access.denied`` (the audit log's
        source), in a transaction of its own: the refused one was rolled back."""
        principal = current_principal()
        if not principal.tenant_id:
            return
        payload = access_pb2.AccessDenied(
            user_id=principal.user_id,
            api_key_id=principal.extra.get("api_key_id", ""),
            method=method,
            reason=exc.message,
            field=exc.field or "",
        )
        subject = f"crm.{self.settings.service_name}.access.denied"
        event = NewEvent(
            subject,
            principal.tenant_id,
            principal.user_id or method,
            payload,
            actor_id=principal.user_id,
        )
        async with self.uow() as uow:
            uow.record(event)
            await uow.commit()


@dataclass(frozen=True)
class Subscription:
    name: str  # durable consumer name, unique per service and purpose
    subjects: list[str]
    handler: Handler
    from_now: bool = False  # on first start, skip the events already in the stream


Job = Callable[[asyncio.Event], Awaitable[None]]


@dataclass
class ServiceParts:
    registrations: Sequence[Registration]
    subscriptions: Sequence[Subscription] = ()
    jobs: Sequence[Job] = field(default_factory=list)


async def migrate(database_url: str, migrations: Path) -> None:
    await ensure_database(database_url)
    await asyncio.to_thread(upgrade, database_url, migrations)


def _install_signal_handlers(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)


async def run_service(
    settings: CommonSettings,
    *,
    database_url: str,
    migrations: Path,
    migrate_on_start: bool,
    build: Callable[[Runtime], ServiceParts],
) -> None:
    """Run a service until SIGINT/SIGTERM, then drain and stop everything."""
    settings.check_secrets()
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(settings.service_name, settings.otlp_endpoint)
    start_metrics_server(settings.metrics_port)
    if migrate_on_start:
        await migrate(database_url, migrations)
    stop = asyncio.Event()
    _install_signal_handlers(stop)
    runtime = _make_runtime(settings, database_url)
    parts = build(runtime)
    server = _make_server(settings, runtime, parts)
    tasks = _start_background(runtime, parts, settings, stop)
    await server.start()
    log.info("%s ready on gRPC port %s", settings.service_name, server.port)
    await stop.wait()
    log.info("%s stopping", settings.service_name)
    await server.stop(settings.shutdown_grace_seconds)
    await _stop_background(tasks)
    await runtime.nats.close()
    await runtime.redis.aclose()
    await runtime.engine.dispose()


def _make_runtime(settings: CommonSettings, database_url: str) -> Runtime:
    engine = create_engine(
        database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
    )
    sessions = session_factory(engine)
    nats = NatsLink(settings.nats_url, settings.service_name)
    relay = OutboxRelay(
        sessions, nats.js, service=settings.service_name, poll_seconds=settings.outbox_poll_seconds
    )
    redis = Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
    return Runtime(settings, engine, sessions, redis, nats, relay)


def _make_server(settings: CommonSettings, runtime: Runtime, parts: ServiceParts) -> GrpcServer:
    async def database_ready() -> bool:
        async with runtime.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
        return True

    return GrpcServer(
        service=settings.service_name,
        registrations=parts.registrations,
        internal_secret=settings.internal_secret.get_secret_value(),
        host=settings.grpc_host,
        port=settings.grpc_port,
        # Not NATS: its outage must not take every replica out of its Service (the
        # outbox keeps the events meanwhile); tests/faults/test_fault_nats_burst.py.
        readiness_checks=[database_ready],
        on_denied=runtime.record_denied,
    )


def _start_background(
    runtime: Runtime, parts: ServiceParts, settings: CommonSettings, stop: asyncio.Event
) -> list[asyncio.Task[None]]:
    loops: list[Awaitable[None]] = [runtime.nats.keep_connecting(stop), runtime.relay.run(stop)]
    for sub in parts.subscriptions:
        consumer = EventConsumer(
            sub.name,
            sub.subjects,
            sub.handler,
            runtime.uow,
            runtime.nats.js,
            max_deliveries=settings.consumer_max_deliveries,
            ack_wait=settings.consumer_ack_wait_seconds,
            fault_pause=_fault_pause(settings),
            from_now=sub.from_now,
        )
        loops.append(consumer.run(stop))
    loops += [job(stop) for job in parts.jobs]
    return [asyncio.create_task(_logged(loop)) for loop in loops]


def _fault_pause(settings: CommonSettings) -> FaultPause | None:
    """The tests/faults hook (see CommonSettings); never in production."""
    if not settings.fault_consumer_pause_at or settings.env == "production":
        return None
    return FaultPause(settings.fault_consumer_pause_at, settings.fault_consumer_pause_seconds)


async def _logged(loop: Awaitable[None]) -> None:
    try:
        await loop
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("background task crashed")


async def _stop_background(tasks: list[asyncio.Task[None]], wait_seconds: float = 5.0) -> None:
    _, pending = await asyncio.wait(tasks, timeout=wait_seconds)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
