"""API keys at the gateway: accepted as Bearer crm_... and X-API-Key, verified by
identity and cached a few seconds, counted per day, refused past daily limits;
the /api-keys and /usage routes."""

from __future__ import annotations

import uuid
from typing import Any

import fakeredis
import httpx
import pytest
from gateway_fakes import TENANT_ID, Clock, FakeHealth, FakeIdentity, rpc_error

from crm.identity.v1 import api_keys_pb2 as pb
from crm_common.auth import current_principal
from crm_common.errors import Unauthenticated
from gateway.collaborators import Collaborators
from gateway.security.jwks import JwksCache, identity_jwks_fetcher
from gateway.usage import USAGE_COUNT_FAILURES

SECRET = "crm_" + "s" * 43
KEY_ID = str(uuid.uuid4())
DAY = "20231114"  # the Clock's day (1_700_000_000 = 2023-11-14T22:13:20Z)
TO_MIDNIGHT = "6400"


class FakeApiKeys:
    """Coroutine methods like ApiKeyServiceStub's; ``calls`` records (method, principal)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.revoked = False
        self.key_limit = 0
        self.tenant_limit = 0

    def count(self, method: str) -> int:
        return sum(1 for name, _ in self.calls if name == method)

    def _key(self, **fields: Any) -> pb.ApiKey:
        values = {"id": KEY_ID, "name": "ci", "prefix": SECRET[:12], "active": True, **fields}
        return pb.ApiKey(**values)

    async def VerifyApiKey(self, request: Any, **_: Any) -> pb.VerifiedApiKey:
        self.calls.append(("VerifyApiKey", current_principal()))
        if request.secret != SECRET or self.revoked:
            raise rpc_error(Unauthenticated("invalid API key"))
        return pb.VerifiedApiKey(
            key_id=KEY_ID,
            tenant_id=TENANT_ID,
            profile_id=str(uuid.UUID(int=1)),
            key_daily_limit=self.key_limit,
            tenant_daily_limit=self.tenant_limit,
        )

    async def GetUsageLimits(self, request: Any, **_: Any) -> pb.UsageLimits:
        self.calls.append(("GetUsageLimits", current_principal()))
        return pb.UsageLimits(daily_limit=self.tenant_limit)

    async def SetUsageLimits(self, request: Any, **_: Any) -> pb.UsageLimits:
        self.calls.append(("SetUsageLimits", current_principal()))
        return pb.UsageLimits(daily_limit=request.daily_limit)

    async def ListApiKeys(self, request: Any, **_: Any) -> pb.ListApiKeysResponse:
        self.calls.append(("ListApiKeys", current_principal()))
        return pb.ListApiKeysResponse(items=[self._key()])

    async def CreateApiKey(self, request: Any, **_: Any) -> pb.CreatedApiKey:
        self.calls.append(("CreateApiKey", request))
        return pb.CreatedApiKey(key=self._key(name=request.name), secret=SECRET)

    async def RevokeApiKey(self, request: Any, **_: Any) -> pb.ApiKey:
        return self._key(active=False, revoked_at={"seconds": 1_700_000_000})

    async def GetUsage(self, request: Any, **_: Any) -> pb.GetUsageResponse:
        self.calls.append(("GetUsage", request))
        items = [pb.UsageDay(date="2023-11-14", key_id="", calls=3)]
        items.append(pb.UsageDay(date="2023-11-14", key_id=KEY_ID, calls=2))
        return pb.GetUsageResponse(items=items, total=5, daily_limit=100)


@pytest.fixture
def keys() -> FakeApiKeys:
    return FakeApiKeys()


@pytest.fixture
def collaborators(
    identity: FakeIdentity, redis: fakeredis.aioredis.FakeRedis, clock: Clock, keys: FakeApiKeys
) -> Collaborators:
    return Collaborators(
        identity=identity,
        health=FakeHealth(),
        redis=redis,
        jwks=JwksCache(identity_jwks_fetcher(identity), min_refresh_seconds=5),
        api_keys=keys,
        clock=clock,
    )


BEARER = {"Authorization": f"Bearer {SECRET}"}
HEADER = {"X-API-Key": SECRET}


async def test_a_key_is_accepted_as_bearer_or_header(
    client: httpx.AsyncClient, keys: FakeApiKeys
) -> None:
    for headers in (BEARER, HEADER):
        assert (await client.get("/api/v1/api-keys", headers=headers)).status_code == 200
    verifier = next(p for name, p in keys.calls if name == "VerifyApiKey")
    assert verifier.kind == "service" and not verifier.tenant_id
    caller = next(p for name, p in keys.calls if name == "ListApiKeys")
    assert (caller.kind, caller.tenant_id, caller.user_id) == ("api_key", TENANT_ID, "")
    assert caller.extra == {"api_key_id": KEY_ID}


async def test_unknown_or_revoked_keys_are_refused(
    client: httpx.AsyncClient, keys: FakeApiKeys
) -> None:
    wrong = await client.get("/api/v1/usage", headers={"X-API-Key": "crm_nope"})
    assert wrong.status_code == 401 and "invalid_token" in wrong.headers["WWW-Authenticate"]
    keys.revoked = True
    assert (await client.get("/api/v1/usage", headers=BEARER)).status_code == 401


async def test_verification_is_cached_for_a_few_seconds_only(
    client: httpx.AsyncClient, keys: FakeApiKeys, clock: Clock
) -> None:
    assert (await client.get("/api/v1/usage", headers=BEARER)).status_code == 200
    keys.revoked = True
    clock.now += 4
    assert (await client.get("/api/v1/usage", headers=BEARER)).status_code == 200
    assert keys.count("VerifyApiKey") == 1
    clock.now += 2  # past the 5 s TTL: identity is asked again and says revoked
    assert (await client.get("/api/v1/usage", headers=BEARER)).status_code == 401


async def test_calls_are_counted_per_tenant_and_key(
    client: httpx.AsyncClient, redis: fakeredis.aioredis.FakeRedis, auth: dict[str, str]
) -> None:
    for headers in (BEARER, HEADER, auth):
        assert (await client.get("/api/v1/usage", headers=headers)).status_code == 200
    assert await redis.get(f"crm:usage:{TENANT_ID}:{DAY}") == "3"
    assert await redis.get(f"crm:usage:{TENANT_ID}:{DAY}:{KEY_ID}") == "2"
    assert 0 < await redis.ttl(f"crm:usage:{TENANT_ID}:{DAY}") <= 40 * 86400


async def test_past_the_key_limit_429_until_midnight_without_spending_the_tenant(
    client: httpx.AsyncClient, keys: FakeApiKeys, redis: fakeredis.aioredis.FakeRedis
) -> None:
    keys.key_limit = 2
    for _ in range(2):
        assert (await client.get("/api/v1/usage", headers=BEARER)).status_code == 200
    refused = await client.get("/api/v1/usage", headers=BEARER)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == TO_MIDNIGHT
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "API key" in refused.json()["detail"]
    assert await redis.get(f"crm:usage:{TENANT_ID}:{DAY}") == "2"


async def test_past_the_tenant_limit_429_and_the_limit_is_cached(
    client: httpx.AsyncClient, keys: FakeApiKeys, auth: dict[str, str], clock: Clock
) -> None:
    keys.tenant_limit = 2
    for _ in range(2):
        assert (await client.get("/api/v1/usage", headers=auth)).status_code == 200
    refused = await client.get("/api/v1/usage", headers=auth)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == TO_MIDNIGHT
    assert (await client.get("/api/v1/usage", headers=HEADER)).status_code == 429  # same tenant
    asked = [p for name, p in keys.calls if name == "GetUsageLimits"]
    assert len(asked) == 1 and (asked[0].kind, asked[0].tenant_id) == ("service", TENANT_ID)
    clock.now += 6400  # the next UTC day starts over
    assert (await client.get("/api/v1/usage", headers=auth)).status_code == 200


async def test_redis_down_neither_counts_nor_blocks(
    client: httpx.AsyncClient, keys: FakeApiKeys, redis: fakeredis.aioredis.FakeRedis
) -> None:
    keys.key_limit = 1
    redis.connection_pool.connection_kwargs["server"].connected = False
    before = USAGE_COUNT_FAILURES._value.get()
    for _ in range(2):
        assert (await client.get("/api/v1/usage", headers=BEARER)).status_code == 200
    assert USAGE_COUNT_FAILURES._value.get() == before + 2


async def test_key_routes(
    client: httpx.AsyncClient, keys: FakeApiKeys, auth: dict[str, str]
) -> None:
    body = {"name": "ci", "profile_id": str(uuid.uuid4()), "expires_at": "2030-01-01T00:00:00Z"}
    created = await client.post("/api/v1/api-keys", json=body, headers=auth)
    assert created.status_code == 201 and created.json()["secret"] == SECRET
    assert created.headers["Location"] == f"/api/v1/api-keys/{KEY_ID}"
    sent = next(r for name, r in keys.calls if name == "CreateApiKey")
    assert sent.expires_at.seconds == 1_893_456_000
    listed = (await client.get("/api/v1/api-keys", headers=auth)).json()
    assert "secret" not in listed["items"][0] and "key_hash" not in listed["items"][0]
    revoked = await client.delete(f"/api/v1/api-keys/{KEY_ID}", headers=auth)
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    naive = {**body, "expires_at": "2030-01-01T00:00:00"}
    assert (await client.post("/api/v1/api-keys", json=naive, headers=auth)).status_code == 422


async def test_usage_routes(
    client: httpx.AsyncClient, keys: FakeApiKeys, auth: dict[str, str]
) -> None:
    report = await client.get(
        "/api/v1/usage", params={"from": "2023-11-01", "key_id": KEY_ID}, headers=auth
    )
    assert report.json()["items"][0] == {"date": "2023-11-14", "key_id": None, "calls": 3}
    assert report.json()["total"] == 5 and report.json()["daily_limit"] == 100
    sent = next(r for name, r in keys.calls if name == "GetUsage")
    assert (sent.from_date, sent.to_date, sent.key_id) == ("2023-11-01", "", KEY_ID)
    put = await client.put("/api/v1/usage/limits", json={"daily_limit": 500}, headers=auth)
    assert put.json() == {"daily_limit": 500}
    bad = await client.put("/api/v1/usage/limits", json={"daily_limit": -1}, headers=auth)
    assert bad.status_code == 422
    assert (
        await client.get("/api/v1/usage", params={"from": "nope"}, headers=auth)
    ).status_code == 422


async def test_openapi_documents_key_and_usage_problems(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    post = spec["paths"]["/api/v1/api-keys"]["post"]
    assert set(post["responses"]) >= {"201", "401", "403", "413", "422", "429"}
    assert "404" in spec["paths"]["/api/v1/api-keys/{id}"]["delete"]["responses"]
    assert "X-API-Key" in {s.get("name") for s in spec["components"]["securitySchemes"].values()}
    assert "HTTPValidationError" not in spec["components"]["schemas"]
