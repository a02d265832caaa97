"""Rate limits: per principal, per tenant, per client IP; 429 with Retry-After."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import fakeredis
import pytest
from gateway_fakes import ClientFactory, Clock
from redis.exceptions import ConnectionError as RedisConnectionError

from gateway.ratelimit import Bucket, RateLimiter

LOGIN = {"tenant": "acme", "email": "a@acme.example", "password": "pw"}


async def test_sliding_window_admits_the_limit_per_minute(
    redis: fakeredis.aioredis.FakeRedis, clock: Clock
) -> None:
    limiter = RateLimiter(redis, clock)
    bucket = [Bucket("principal", "u1", 3)]
    assert [(await limiter.check(bucket)).allowed for _ in range(4)] == [True] * 3 + [False]
    clock.now += 30  # half a minute later: still three in the last 60 s
    refused = await limiter.check(bucket)
    assert not refused.allowed and refused.retry_after == 30
    clock.now += 30  # the first three have left the window
    assert (await limiter.check(bucket)).allowed


async def test_a_refused_request_spends_no_other_bucket(
    redis: fakeredis.aioredis.FakeRedis, clock: Clock
) -> None:
    limiter = RateLimiter(redis, clock)
    tenant, full = Bucket("tenant", "t1", 10), Bucket("principal", "u1", 1)
    assert (await limiter.check([tenant, full])).allowed
    for _ in range(5):
        assert not (await limiter.check([tenant, full])).allowed
    other_user = Bucket("principal", "u2", 100)
    results = [(await limiter.check([tenant, other_user])).allowed for _ in range(10)]
    assert results == [True] * 9 + [False]


async def test_principal_limit_answers_429_problem(
    make_client: ClientFactory, auth: dict[str, str], make_token: Callable[..., str]
) -> None:
    client = make_client(rate_limit_principal_per_minute=2)
    statuses = [(await client.get("/api/v1/me", headers=auth)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    refused = await client.get("/api/v1/me", headers=auth)
    assert refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["RateLimit-Limit"] == "2"
    someone_else = {"Authorization": f"Bearer {make_token(sub=str(uuid.uuid4()))}"}
    assert (await client.get("/api/v1/me", headers=someone_else)).status_code == 200


async def test_tenant_limit_covers_all_its_users(
    make_client: ClientFactory, make_token: Callable[..., str]
) -> None:
    client = make_client(rate_limit_tenant_per_minute=3)
    statuses = []
    for _ in range(4):
        headers = {"Authorization": f"Bearer {make_token(sub=str(uuid.uuid4()))}"}
        statuses.append((await client.get("/api/v1/me", headers=headers)).status_code)
    assert statuses == [200, 200, 200, 429]
    other_tenant = {"Authorization": f"Bearer {make_token(tid=str(uuid.uuid4()))}"}
    assert (await client.get("/api/v1/me", headers=other_tenant)).status_code == 200


async def test_login_is_limited_per_client_ip(make_client: ClientFactory) -> None:
    client = make_client(rate_limit_anonymous_per_minute=2)
    statuses = [(await client.post("/api/v1/auth/token", json=LOGIN)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


async def test_forwarded_for_is_used_only_when_trusted(make_client: ClientFactory) -> None:
    trusting = make_client(rate_limit_anonymous_per_minute=1, trust_forwarded_for=True)
    for ip in ("198.51.100.1", "198.51.100.2"):
        headers = {"X-Forwarded-For": f"203.0.113.9, {ip}"}
        response = await trusting.post("/api/v1/auth/token", json=LOGIN, headers=headers)
        assert response.status_code == 200


async def test_failed_credentials_count_against_the_ip(make_client: ClientFactory) -> None:
    client = make_client(rate_limit_anonymous_per_minute=2)
    bad = {"Authorization": "Bearer not-a-token"}
    statuses = [(await client.get("/api/v1/me", headers=bad)).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


async def test_redis_down_fails_open(
    make_client: ClientFactory,
    redis: fakeredis.aioredis.FakeRedis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def down(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("redis is down")

    monkeypatch.setattr(redis, "evalsha", down)
    client = make_client(rate_limit_anonymous_per_minute=1)
    statuses = [(await client.post("/api/v1/auth/token", json=LOGIN)).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
