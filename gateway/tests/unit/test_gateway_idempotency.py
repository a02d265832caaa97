"""Idempotency-Key on POST: replay, different body, in flight, failures, scope."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import fakeredis
import grpc
import httpx
import pytest
from gateway_fakes import TENANT_ID, USER_ID, FakeIdentity
from redis.exceptions import ConnectionError as RedisConnectionError

from gateway.idempotency import IdempotencyStore, fingerprint

USERS = "/api/v1/users"
BODY = {"email": "once@acme.example", "password": "correct-horse"}


def _key(value: str | None = None) -> dict[str, str]:
    return {"Idempotency-Key": value or str(uuid.uuid4())}


async def test_same_key_and_body_replay_the_first_answer(
    client: httpx.AsyncClient, identity: FakeIdentity, auth: dict[str, str]
) -> None:
    headers = {**auth, **_key()}
    first = await client.post(USERS, json=BODY, headers=headers)
    second = await client.post(USERS, json=BODY, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Location"] == first.headers["Location"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert [name for name, _, _ in identity.calls].count("CreateUser") == 1


async def test_same_key_with_another_body_is_422(
    client: httpx.AsyncClient, identity: FakeIdentity, auth: dict[str, str]
) -> None:
    headers = {**auth, **_key()}
    await client.post(USERS, json=BODY, headers=headers)
    other = await client.post(USERS, json={**BODY, "email": "twice@acme.example"}, headers=headers)
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert [name for name, _, _ in identity.calls].count("CreateUser") == 1


SCOPE = f"user:{TENANT_ID}:{USER_ID}"  # Caller.scope_key of the ``auth`` fixture's user


async def test_in_flight_duplicate_with_the_same_body_is_409(
    client: httpx.AsyncClient, redis: fakeredis.aioredis.FakeRedis, auth: dict[str, str]
) -> None:
    key = str(uuid.uuid4())
    raw = httpx.Request("POST", "http://x", json=BODY).content
    store = IdempotencyStore(redis, ttl_seconds=60)
    await store.begin(SCOPE, key, fingerprint("POST", USERS, raw))  # another request holds it
    response = await client.post(
        USERS, content=raw, headers={**auth, **_key(key), "Content-Type": "application/json"}
    )
    assert response.status_code == 409
    assert "in progress" in response.json()["detail"]


async def test_a_5xx_is_not_stored_so_the_retry_runs(
    client: httpx.AsyncClient, identity: FakeIdentity, auth: dict[str, str]
) -> None:
    headers = {**auth, **_key()}
    identity.fail_with("CreateUser", grpc.StatusCode.UNAVAILABLE)
    assert (await client.post(USERS, json=BODY, headers=headers)).status_code == 503
    del identity.fail["CreateUser"]
    retry = await client.post(USERS, json=BODY, headers=headers)
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry.headers


async def test_a_4xx_is_stored_and_replayed(
    client: httpx.AsyncClient, identity: FakeIdentity, auth: dict[str, str]
) -> None:
    headers = {**auth, **_key()}
    identity.fail_with("CreateUser", grpc.StatusCode.ALREADY_EXISTS, "exists")
    assert (await client.post(USERS, json=BODY, headers=headers)).status_code == 409
    del identity.fail["CreateUser"]
    replay = await client.post(USERS, json=BODY, headers=headers)
    assert replay.status_code == 409
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.headers["content-type"] == "application/problem+json"


async def test_keys_are_scoped_by_caller(
    client: httpx.AsyncClient, make_token: Callable[..., str], auth: dict[str, str]
) -> None:
    key = _key()
    other_user = {"Authorization": f"Bearer {make_token(sub=str(uuid.uuid4()))}"}
    first = await client.post(USERS, json=BODY, headers={**auth, **key})
    second = await client.post(USERS, json=BODY, headers={**other_user, **key})
    assert first.status_code == second.status_code == 201
    assert "Idempotent-Replayed" not in second.headers
    assert first.json()["id"] != second.json()["id"]


async def test_anonymous_routes_scope_by_client_ip(
    client: httpx.AsyncClient, identity: FakeIdentity
) -> None:
    body = {"tenant": "acme", "email": "a@acme.example", "password": "pw"}
    headers = _key()
    await client.post("/api/v1/auth/token", json=body, headers=headers)
    replay = await client.post("/api/v1/auth/token", json=body, headers=headers)
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert [name for name, _, _ in identity.calls].count("IssueToken") == 1


@pytest.mark.parametrize("value", ["", "k" * 256])
async def test_key_length_is_checked(
    client: httpx.AsyncClient, auth: dict[str, str], value: str
) -> None:
    response = await client.post(USERS, json=BODY, headers={**auth, "Idempotency-Key": value})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]


async def test_redis_down_refuses_keyed_requests_only(
    client: httpx.AsyncClient,
    redis: fakeredis.aioredis.FakeRedis,
    auth: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def down(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("redis is down")

    monkeypatch.setattr(redis, "set", down)
    keyed = await client.post(USERS, json=BODY, headers={**auth, **_key()})
    assert keyed.status_code == 503
    plain = await client.post(USERS, json=BODY, headers=auth)
    assert plain.status_code == 201
