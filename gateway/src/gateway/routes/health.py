"""Probes and metrics. Not rate limited, not authenticated, not traced."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Response
from grpc_health.v1 import health_pb2
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from gateway.deps import CollaboratorsDep
from gateway.openapi import problem_responses
from gateway.problem import ProblemError
from gateway.schemas.health import HealthRead, ReadinessRead

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_SECONDS = 1.0
SERVING = health_pb2.HealthCheckResponse.SERVING


@router.get("/healthz", summary="The process is alive")
async def healthz() -> HealthRead:
    return HealthRead()


@router.get(
    "/readyz",
    responses=problem_responses(503),
    summary="Every service answers its health check: the gateway can serve",
)
async def readyz(collaborators: CollaboratorsDep) -> ReadinessRead:
    """Only the services gate readiness. Redis is reported but does not: without it
    authentication still works and limits fail open (see ratelimit.py), so taking
    every gateway out of the load balancer would turn a degradation into an outage."""
    services = {"identity": collaborators.health, **collaborators.peer_health}
    results = await asyncio.gather(
        _check(collaborators.redis.ping()),
        *(_check(_serving(stub)) for stub in services.values()),
    )
    checks = {"redis": results[0], **dict(zip(services, results[1:], strict=True))}
    down = sorted(name for name in services if checks[name] != "ok")
    if down:
        raise ProblemError(503, f"not ready: {', '.join(down)}", extra={"checks": checks})
    return ReadinessRead(status="ready" if results[0] == "ok" else "degraded", checks=checks)


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def _serving(health: Any) -> bool:
    request = health_pb2.HealthCheckRequest(service="")
    answer = await health.Check(request, timeout=CHECK_TIMEOUT_SECONDS)
    return bool(answer.status == SERVING)


async def _check(probe: Any) -> str:
    try:
        result = await asyncio.wait_for(probe, CHECK_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure means "not ready"; the name says which
        return f"error: {type(exc).__name__}"
    return "ok" if result else "error: not serving"
