"""Prometheus metrics of the gateway (process-wide, like every prometheus_client metric)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from crm_common.metrics import LATENCY_BUCKETS

HTTP_REQUESTS = Counter(
    "crm_http_requests_total",
    "HTTP requests answered, by method, route template and status",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "crm_http_request_duration_seconds",
    "HTTP request duration, by method and route template",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
REVOCATION_CHECK_FAILURES = Counter(
    "crm_gateway_revocation_check_failures_total",
    "Token revocation checks skipped because Redis did not answer",
)
RATE_LIMIT_FAILURES = Counter(
    "crm_gateway_rate_limit_failures_total",
    "Rate-limit checks skipped (request allowed) because Redis did not answer",
)
RATE_LIMITED = Counter(
    "crm_gateway_rate_limited_total",
    "Requests refused with 429, by bucket kind",
    ["bucket"],
)
JWKS_REFRESH_FAILURES = Counter(
    "crm_gateway_jwks_refresh_failures_total",
    "JWKS refreshes from identity that failed (cached keys kept)",
)
