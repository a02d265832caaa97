"""Prometheus metrics shared by every process (RED per gRPC method)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram, start_http_server

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

GRPC_REQUESTS = Counter(
    "crm_grpc_server_requests_total",
    "gRPC requests handled, by method and status code",
    ["service", "method", "code"],
)
GRPC_DURATION = Histogram(
    "crm_grpc_server_duration_seconds",
    "gRPC request duration",
    ["service", "method"],
    buckets=LATENCY_BUCKETS,
)


def start_metrics_server(port: int, host: str = "0.0.0.0") -> None:
    """Serve /metrics on ``port`` (0 = disabled)."""
    if port:
        start_http_server(port, addr=host)
