"""Gateway unit tests: the real app over ASGI, with a fake identity stub,
fakeredis and a signing key made here. Collaborators are injected through
``create_app(settings, collaborators)``, so no lifespan is needed.

Helpers the test modules import live in ``gateway_fakes.py`` (a test module
never imports a conftest).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import fakeredis
import httpx
import pytest
from gateway_fakes import (
    PLATFORM_TOKEN,
    ClientFactory,
    Clock,
    FakeHealth,
    FakeIdentity,
    SigningKey,
    claims,
    jwks_json,
    make_settings,
)

from gateway.app import create_app
from gateway.collaborators import Collaborators
from gateway.security.jwks import JwksCache, identity_jwks_fetcher


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
