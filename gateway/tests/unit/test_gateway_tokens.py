"""Access-token verification: algorithm pinning, claims, revocation, Redis down."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable

import fakeredis
import httpx
import pytest
from gateway_fakes import USER_ID, FakeIdentity, SigningKey, claims
from prometheus_client import REGISTRY
from redis.exceptions import ConnectionError as RedisConnectionError

from crm_common.revocation import revoke_session, revoke_user_tokens

ME = "/api/v1/me"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict[str, str], payload: dict[str, object], key: bytes = b"") -> str:
    head = _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(payload).encode())
    signature = hmac.new(key, head.encode(), hashlib.sha256).digest() if key else b""
    return head + "." + _b64(signature)


async def test_valid_token_reaches_identity_as_the_principal(
    client: httpx.AsyncClient, identity: FakeIdentity, auth: dict[str, str]
) -> None:
    response = await client.get(ME, headers=auth)
    assert response.status_code == 200
    _, _, principal = identity.calls[-1]
    assert principal.kind == "user" and principal.user_id == USER_ID


async def test_missing_token_is_401_with_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get(ME)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_alg_none_is_refused(client: httpx.AsyncClient, key: SigningKey) -> None:
    token = _unsigned({"alg": "none", "kid": key.kid}, claims())
    assert (await client.get(ME, headers=_bearer(token))).status_code == 401


async def test_hs256_keyed_with_the_public_key_is_refused(
    client: httpx.AsyncClient, key: SigningKey
) -> None:
    public = key.jwk()["x"].encode()
    token = _unsigned({"alg": "HS256", "kid": key.kid, "typ": "JWT"}, claims(), key=public)
    assert (await client.get(ME, headers=_bearer(token))).status_code == 401


async def test_token_signed_by_another_key_with_our_kid_is_refused(
    client: httpx.AsyncClient, make_token: Callable[..., str]
) -> None:
    impostor = SigningKey("key-1")  # same kid, different private key
    response = await client.get(ME, headers=_bearer(make_token(impostor)))
    assert response.status_code == 401
    assert response.json()["detail"] == "invalid token"


@pytest.mark.parametrize(
    ("overrides", "detail"),
    [
        ({"exp": int(time.time()) - 60}, "token has expired"),
        ({"aud": "someone-else"}, "invalid token"),
        ({"iss": "evil"}, "invalid token"),
        ({"sid": None}, "invalid token"),
        ({"typ": "refresh"}, "not an access token"),
    ],
)
async def test_bad_claims_are_refused(
    client: httpx.AsyncClient,
    make_token: Callable[..., str],
    overrides: dict[str, object],
    detail: str,
) -> None:
    response = await client.get(ME, headers=_bearer(make_token(**overrides)))
    assert response.status_code == 401
    assert response.json()["detail"] == detail


async def test_small_clock_skew_is_tolerated(
    client: httpx.AsyncClient, make_token: Callable[..., str]
) -> None:
    token = make_token(exp=int(time.time()) - 5)
    assert (await client.get(ME, headers=_bearer(token))).status_code == 200


async def test_revoked_session_is_refused(
    client: httpx.AsyncClient, redis: fakeredis.aioredis.FakeRedis, key: SigningKey
) -> None:
    token_claims = claims()
    await revoke_session(redis, token_claims["sid"], ttl_seconds=60)
    response = await client.get(ME, headers=_bearer(key.sign(token_claims)))
    assert response.status_code == 401
    assert response.json()["detail"] == "token has been revoked"


async def test_tokens_issued_before_the_user_cutoff_are_refused(
    client: httpx.AsyncClient, redis: fakeredis.aioredis.FakeRedis, key: SigningKey
) -> None:
    now = int(time.time())
    await revoke_user_tokens(redis, USER_ID, issued_before=now, ttl_seconds=60)
    old = key.sign(claims(iat=now - 1))
    new = key.sign(claims(iat=now + 1))
    assert (await client.get(ME, headers=_bearer(old))).status_code == 401
    assert (await client.get(ME, headers=_bearer(new))).status_code == 200


async def test_redis_down_skips_revocation_and_counts_it(
    client: httpx.AsyncClient,
    redis: fakeredis.aioredis.FakeRedis,
    auth: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def down(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("redis is down")

    monkeypatch.setattr(redis, "mget", down)
    monkeypatch.setattr(redis, "evalsha", down)  # the rate limiter fails open as well
    before = REGISTRY.get_sample_value("crm_gateway_revocation_check_failures_total") or 0
    response = await client.get(ME, headers=auth)
    assert response.status_code == 200
    after = REGISTRY.get_sample_value("crm_gateway_revocation_check_failures_total")
    assert after == before + 1


async def test_platform_token_is_compared_exactly(
    client: httpx.AsyncClient, platform: dict[str, str], auth: dict[str, str]
) -> None:
    body = {"name": "A", "slug": "a", "admin_email": "a@a.example", "admin_password": "pw"}
    assert (await client.post("/api/v1/tenants", json=body)).status_code == 401
    wrong = {"X-Platform-Token": platform["X-Platform-Token"] + "x"}
    assert (await client.post("/api/v1/tenants", json=body, headers=wrong)).status_code == 401
    # A user's bearer token is not a platform credential.
    assert (await client.post("/api/v1/tenants", json=body, headers=auth)).status_code == 401
    assert (await client.post("/api/v1/tenants", json=body, headers=platform)).status_code == 201
