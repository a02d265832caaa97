"""``Idempotency-Key`` on POST: the first request claims the key, a retry with the
same body gets the first answer again, a different body is refused.

Keys are scoped by caller (``Caller.scope_key``), so two tenants can never see
each other's stored answers. Answers >= 500 are not stored: the claim is
released so the client can retry. Redis down: a request that carries a key is
refused with 503 (the client asked for exactly-once; we cannot promise it);
requests without a key are unaffected.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from gateway.problem import ProblemError

KEY = "crm:idempotency:{digest}"
REPLAYED_HEADER = "Idempotent-Replayed"
STORED_HEADERS = ("content-type", "location", "etag", "retry-after", "www-authenticate")
CONFLICT_TYPE = "urn:crm:problem:idempotency-key-in-use"
MISMATCH_TYPE = "urn:crm:problem:idempotency-key-reused"


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: bytes


class IdempotentReplayError(Exception):
    """Raised by the guard so the exception handler sends the stored answer."""

    def __init__(self, stored: StoredResponse) -> None:
        super().__init__("replay")
        self.stored = stored


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256(f"{method} {path}\n".encode())
    digest.update(body)
    return digest.hexdigest()


@dataclass(frozen=True)
class Claim:
    """This request owns the key until it completes or releases it."""

    store: IdempotencyStore
    redis_key: str
    fingerprint: str

    async def complete(self, response: StoredResponse) -> None:
        await self.store.save(self, response)

    async def release(self) -> None:
        await self.store.redis.delete(self.redis_key)


class IdempotencyStore:
    def __init__(self, redis: Redis, ttl_seconds: int, in_flight_seconds: int = 60) -> None:
        self.redis = redis
        self.ttl = ttl_seconds
        # Bounds how long a crashed gateway can block retries of one key.
        self.in_flight = in_flight_seconds

    async def begin(self, scope: str, key: str, fp: str) -> Claim | StoredResponse:
        digest = hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()
        redis_key = KEY.format(digest=digest)
        marker = json.dumps({"state": "in_flight", "fingerprint": fp})
        for _ in range(2):  # the second round covers a record expiring in between
            if await self.redis.set(redis_key, marker, nx=True, ex=self.in_flight):
                return Claim(self, redis_key, fp)
            raw = await self.redis.get(redis_key)
            if raw is not None:
                return _existing(json.loads(raw), fp)
        raise _in_progress()

    async def save(self, claim: Claim, response: StoredResponse) -> None:
        record = {
            "state": "done",
            "fingerprint": claim.fingerprint,
            "status": response.status,
            "headers": response.headers,
            "body": base64.b64encode(response.body).decode(),
        }
        await self.redis.set(claim.redis_key, json.dumps(record), ex=self.ttl)


def _existing(record: dict[str, Any], fp: str) -> StoredResponse:
    if record.get("fingerprint") != fp:
        raise ProblemError(
            422,
            "this Idempotency-Key was used with a different request",
            type_=MISMATCH_TYPE,
        )
    if record.get("state") != "done":
        raise _in_progress()
    return StoredResponse(
        status=int(record["status"]),
        headers=dict(record["headers"]),
        body=base64.b64decode(record["body"]),
    )


def _in_progress() -> ProblemError:
    return ProblemError(
        409,
        "a request with this Idempotency-Key is in progress",
        type_=CONFLICT_TYPE,
        headers={"Retry-After": "1"},
    )
