"""One-shot readiness probes: the standard gRPC health check and an HTTP GET."""

from __future__ import annotations

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc

from crm_devstack.net import LOCALHOST


def grpc_serving(port: int, host: str = LOCALHOST, timeout: float = 1.0) -> bool:
    """True when ``grpc.health.v1.Health/Check`` for the whole server (service "")
    answers SERVING."""
    with grpc.insecure_channel(f"{host}:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            response = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
        except grpc.RpcError:
            return False
    return bool(response.status == health_pb2.HealthCheckResponse.SERVING)


def http_ok(url: str, timeout: float = 1.0) -> bool:
    """True when GET ``url`` answers 200."""
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False
