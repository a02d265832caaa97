"""Probes, OpenAPI, settings, and the lifespan that owns real clients."""

from __future__ import annotations

import grpc
import httpx
import pytest
from gateway_fakes import FakeHealth, make_settings, rpc_error
from pydantic import SecretStr

from crm_common.config import InsecureSettingsError
from gateway.app import create_app
from gateway.collaborators import Collaborators
from gateway.config import DEV_PLATFORM_TOKEN, GatewaySettings


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_readyz_when_dependencies_answer(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"redis": "ok", "identity": "ok"}}


async def test_readyz_names_the_failed_check(
    client: httpx.AsyncClient, collaborators: Collaborators
) -> None:
    collaborators.health.error = rpc_error(grpc.StatusCode.UNAVAILABLE, "down")
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["checks"]["redis"] == "ok"
    assert response.json()["checks"]["identity"].startswith("error")


async def test_readyz_stays_ready_but_degraded_without_redis(
    client: httpx.AsyncClient, collaborators: Collaborators
) -> None:
    async def broken_ping() -> bool:
        raise ConnectionError("redis down")

    collaborators.redis.ping = broken_ping  # type: ignore[method-assign]
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["redis"].startswith("error")


async def test_readyz_waits_for_every_service(
    client: httpx.AsyncClient, collaborators: Collaborators
) -> None:
    sales = FakeHealth()
    collaborators.peer_health = {"sales": sales}
    assert (await client.get("/readyz")).status_code == 200
    sales.error = rpc_error(grpc.StatusCode.UNAVAILABLE, "down")
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["detail"] == "not ready: sales"
    assert response.json()["checks"]["identity"] == "ok"


async def test_openapi_documents_problems(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "Problem" in spec["components"]["schemas"]
    post = spec["paths"]["/api/v1/users"]["post"]
    assert set(post["responses"]) >= {"201", "401", "403", "409", "413", "422", "429"}
    assert "application/problem+json" in post["responses"]["422"]["content"]
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert (await client.get("/docs")).status_code == 200


def test_dev_platform_token_is_refused_outside_development() -> None:
    GatewaySettings(env="development").check_secrets()
    with pytest.raises(InsecureSettingsError):
        GatewaySettings(env="test", platform_token=SecretStr(DEV_PLATFORM_TOKEN)).check_secrets()
    GatewaySettings(env="test", platform_token=SecretStr("set-by-ops")).check_secrets()


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_GATEWAY_PORT", "9090")
    monkeypatch.setenv("CRM_RATE_LIMIT_PRINCIPAL_PER_MINUTE", "7")
    monkeypatch.setenv("CRM_CORS_ORIGINS", "https://a.example, https://b.example")
    settings = GatewaySettings()
    assert settings.gateway_port == 9090 and settings.rate_limit_principal_per_minute == 7
    assert settings.cors_origins == ["https://a.example", "https://b.example"]


async def test_lifespan_builds_and_closes_real_clients() -> None:
    settings = make_settings(redis_url="redis://127.0.0.1:1/0", identity_addr="127.0.0.1:1")
    app = create_app(settings)
    assert app.state.collaborators is None  # nothing built before start-up
    async with app.router.lifespan_context(app):
        assert app.state.collaborators is not None
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 503
            checks = set(ready.json()["checks"])
            assert checks == {
                "redis",
                "identity",
                "sales",
                "inventory",
                "notifications",
                "support",
                "marketing",
            }
    assert app.state.collaborators is None
