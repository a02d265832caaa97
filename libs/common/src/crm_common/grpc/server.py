"""gRPC server bootstrap shared by every service.

Registers the service's servicers plus the standard health service and server
reflection, installs the interceptors (OpenTelemetry, then ours), and keeps the
health status honest: service "" reports readiness (the checks it is given: the
runtime passes its own database, never NATS or peers), service "liveness" is
SERVING while the process runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.instrumentation.grpc import aio_server_interceptor

from crm_common.grpc.interceptors import DeniedHook, ServerInterceptor

log = logging.getLogger("crm.grpc")

LIVENESS = "liveness"
ReadinessCheck = Callable[[], Awaitable[bool]]


@dataclass(frozen=True)
class Registration:
    """A servicer to serve: ``add(server)`` registers it; ``name`` is its full name."""

    name: str
    add: Callable[[grpc.aio.Server], None]


class GrpcServer:
    def __init__(
        self,
        *,
        service: str,
        registrations: Sequence[Registration],
        internal_secret: str,
        host: str,
        port: int,
        readiness_checks: Sequence[ReadinessCheck] = (),
        readiness_interval: float = 5.0,
        on_denied: DeniedHook | None = None,
    ) -> None:
        self._names = [r.name for r in registrations]
        self._checks = readiness_checks
        self._interval = readiness_interval
        self._health = health.aio.HealthServicer()
        self._server = grpc.aio.server(
            interceptors=[
                aio_server_interceptor(),
                ServerInterceptor(service, internal_secret, on_denied),
            ],
            options=[
                ("grpc.so_reuseport", 0),
                ("grpc.max_receive_message_length", 8 << 20),
                # Our clients ping every 30 s (crm_common.grpc.client) to keep long
                # calls such as the notification stream alive; gRPC's default lets a
                # server answer that with GOAWAY "too many pings" (UNAVAILABLE).
                ("grpc.keepalive_permit_without_calls", 1),
                ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
                ("grpc.http2.max_ping_strikes", 0),
            ],
        )
        for registration in registrations:
            registration.add(self._server)
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self._server)
        reflection.enable_server_reflection(
            [*self._names, health.SERVICE_NAME, reflection.SERVICE_NAME], self._server
        )
        self.port = self._server.add_insecure_port(f"{host}:{port}")
        self._watcher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._server.start()
        await self._health.set(LIVENESS, health_pb2.HealthCheckResponse.SERVING)
        await self._refresh_readiness()
        self._watcher = asyncio.create_task(self._watch_readiness())
        log.info("gRPC server listening on port %s", self.port)

    async def stop(self, grace: float) -> None:
        """Report NOT_SERVING first so load balancers drain, then stop."""
        if self._watcher:
            self._watcher.cancel()
        await self._health.enter_graceful_shutdown()
        await self._server.stop(grace)

    async def wait_for_termination(self) -> None:
        await self._server.wait_for_termination()

    async def _watch_readiness(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            await self._refresh_readiness()

    async def _refresh_readiness(self) -> None:
        ready = await _all_ready(self._checks)
        status = (
            health_pb2.HealthCheckResponse.SERVING
            if ready
            else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in ["", *self._names]:
            await self._health.set(name, status)


async def _all_ready(checks: Sequence[ReadinessCheck]) -> bool:
    for check in checks:
        try:
            if not await asyncio.wait_for(check(), timeout=2.0):
                return False
        except Exception:  # a failing dependency means "not ready", never a crash
            log.warning("readiness check %s failed", getattr(check, "__name__", check))
            return False
    return True
