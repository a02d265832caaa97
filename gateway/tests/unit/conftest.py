"""Gateway unit tests: the real app over ASGI, with a fake identity stub,
fakeredis and a signing key made here. Collaborators are injected through
``create_app(settings, collaborators)``, so no lifespan is needed.

This folder is a package (``__init__.py``) so that, under the run's
``--import-mode=importlib``, its modules get names of their own (``unit.*``)
rather than ``gateway.tests.unit.*``, which would shadow the ``gateway`` package.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import fakeredis
import httpx
import pytest
from pydantic import SecretStr

from gateway.app import create_app
from gateway.collaborators import Collaborators
from gateway.config import GatewaySettings
from gateway.security.jwks import JwksCache, identity_jwks_fetcher

from .fakes import FakeHealth, FakeIdentity, SigningKey, claims, jwks_json

PLATFORM_TOKEN = "unit-platform-token"


class Clock:
    """Wall clock the tests move by hand (rate-limit windows)."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_settings(**overrides: Any) -> GatewaySettings:
    values: dict[str, Any] = {
        "env": "test",
        "platform_token": SecretStr(PLATFORM_TOKEN),
        "rate_limit_tenant_per_minute": 1000,
        "rate_limit_principal_per_minute": 1000,
        "rate_limit_anonymous_per_minute": 1000,
        "jwks_min_refresh_seconds": 5,
        "cors_origins": [],
        "trust_forwarded_for": False,
        "max_body_bytes": 1024 * 1024,
        **overrides,
    }
    return GatewaySettings(**values)


@pytest.fixture
def key() -> SigningKey:
    return SigningKey("key-1")


@pytest.fixture
def identity(key: SigningKey) -> FakeIdentity:
    return FakeIdentity(jwks_json(key))


@pytest.fixture
def redis() -> fakeredis.aioredis.FakeRedis:
    return fakeredis.aioredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def collaborators(
    identity: FakeIdentity, redis: fakeredis.aioredis.FakeRedis, clock: Clock
) -> Collaborators:
    return Collaborators(
        identity=identity,
        health=FakeHealth(),
        redis=redis,
        jwks=JwksCache(identity_jwks_fetcher(identity), min_refresh_seconds=5),
        clock=clock,
    )


ClientFactory = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def make_client(collaborators: Collaborators) -> AsyncIterator[ClientFactory]:
    opened: list[httpx.AsyncClient] = []

    def make(**settings: Any) -> httpx.AsyncClient:
        app = create_app(make_settings(**settings), collaborators)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url="http://gateway.test")
        opened.append(client)
        return client

    yield make
    for client in opened:
        await client.aclose()


@pytest.fixture
def client(make_client: ClientFactory) -> httpx.AsyncClient:
    return make_client()


@pytest.fixture
def make_token(key: SigningKey) -> Callable[..., str]:
    """``make_token(exp=..., aud=...)``: a token with those claims changed (None drops one)."""

    def make(signer: SigningKey | None = None, **overrides: Any) -> str:
        return (signer or key).sign(claims(**overrides))

    return make


@pytest.fixture
def token(make_token: Callable[..., str]) -> str:
    return make_token()


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def platform() -> dict[str, str]:
    return {"X-Platform-Token": PLATFORM_TOKEN}
