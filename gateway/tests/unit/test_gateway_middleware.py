"""Request id, body size limit, CORS, and per-route-template metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from gateway_fakes import ClientFactory
from prometheus_client import REGISTRY


async def test_request_id_is_generated_and_echoed(client: httpx.AsyncClient) -> None:
    generated = await client.get("/healthz")
    assert len(generated.headers["X-Request-ID"]) == 32
    given = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["X-Request-ID"] == "abc-123"


async def test_unsafe_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert response.headers["X-Request-ID"] != "bad id\twith spaces"


async def test_problem_carries_the_request_id(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me", headers={"X-Request-ID": "trace-me"})
    assert response.status_code == 401
    assert response.json()["request_id"] == "trace-me"


async def test_declared_body_over_the_limit_is_413(make_client: ClientFactory) -> None:
    client = make_client(max_body_bytes=100)
    body = {"tenant": "acme", "email": "a@b.c", "password": "x" * 200}
    response = await client.post("/api/v1/auth/token", json=body)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_streamed_body_over_the_limit_is_413(make_client: ClientFactory) -> None:
    client = make_client(max_body_bytes=100)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked
        for _ in range(10):
            yield b'{"tenant": "acme", "email": "a@b.c", "password": "xxxxxxxxxxxxxx"}'

    response = await client.post(
        "/api/v1/auth/token", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["status"] == 413


async def test_body_under_the_limit_passes(make_client: ClientFactory) -> None:
    client = make_client(max_body_bytes=1000)
    body = {"tenant": "acme", "email": "a@b.c", "password": "pw"}
    assert (await client.post("/api/v1/auth/token", json=body)).status_code == 200


async def test_cors_from_settings(make_client: ClientFactory) -> None:
    client = make_client(cors_origins=["https://app.example"])
    preflight = await client.options(
        "/api/v1/users",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Idempotency-Key",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://app.example"
    other = await client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def _count(route: str, status: str) -> float:
    value = REGISTRY.get_sample_value(
        "crm_http_requests_total", {"method": "GET", "route": route, "status": status}
    )
    return value or 0.0


async def test_metrics_are_keyed_by_route_template(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    template = "/api/v1/users/{id}"
    before = _count(template, "200")
    await client.get("/api/v1/users/6f1c1c7e-8a59-4a4b-9a55-0d0c1f1f1f1f", headers=auth)
    await client.get("/api/v1/users/0b6d5f0e-1111-4a4b-9a55-0d0c1f1f1f1f", headers=auth)
    assert _count(template, "200") == before + 2
    unmatched = _count("unmatched", "404")
    await client.get("/no/such/path/123")
    assert _count("unmatched", "404") == unmatched + 1
    exposition = (await client.get("/metrics")).text
    assert 'route="/api/v1/users/{id}"' in exposition
    assert "6f1c1c7e" not in exposition
