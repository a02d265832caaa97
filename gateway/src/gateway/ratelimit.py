"""Sliding-window rate limits in Redis: one Lua script per request, atomic
across the request's buckets (a request refused by one bucket spends none).

Buckets: per tenant and per principal for authenticated callers, per client IP
for anonymous ones (login, refresh, and requests whose credentials failed).
Each bucket is a sorted set of the admitted requests' times over the last 60 s,
so no minute ever admits more than the limit (a fixed window admits up to twice
the limit across its edge).

Redis-down policy: fail open everywhere, counted in
``crm_gateway_rate_limit_failures_total``. Limits protect capacity; they are not
a security boundary, and login keeps its own throttling in identity (per
account), so a Redis outage degrades protection, never availability.
"""

from __future__ import annotations

import hashlib
import logging
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import NoScriptError, RedisError

from gateway.metrics import RATE_LIMIT_FAILURES, RATE_LIMITED
from gateway.problem import ProblemError

log = logging.getLogger("crm.gateway.ratelimit")

WINDOW_SECONDS = 60
KEY = "crm:ratelimit:{kind}:{subject}"
RATE_LIMITED_TYPE = "urn:crm:problem:rate-limited"

# KEYS: one per bucket. ARGV: now (ms), window (ms), a unique member, then the
# limits in KEYS order. Returns {0, 0} when admitted, else {index of the full
# bucket (1-based), ms until its oldest request leaves the window}.
SLIDING_WINDOW = """
local now, window, member = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= tonumber(ARGV[3 + i]) then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return {i, tonumber(oldest[2]) + window - now}
  end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
end
return {0, 0}
"""
SLIDING_WINDOW_SHA = hashlib.sha1(SLIDING_WINDOW.encode()).hexdigest()  # noqa: S324 - Redis names scripts by SHA-1


@dataclass(frozen=True)
class Bucket:
    kind: str  # "tenant" | "principal" | "ip": a metric label, so a small fixed set
    subject: str
    limit: int


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    bucket: Bucket | None = None
    retry_after: int = 0


class RateLimiter:
    def __init__(self, redis: Redis, clock: Callable[[], float]) -> None:
        self._redis = redis
        self._clock = clock

    async def check(self, buckets: Sequence[Bucket]) -> Verdict:
        """Admits this request into every bucket, or refuses it when one is full."""
        try:
            full, wait_ms = await self._run(buckets)
        except (RedisError, OSError) as exc:  # policy: see the module docstring
            RATE_LIMIT_FAILURES.inc()
            log.warning("rate limit not enforced, Redis unavailable: %s", exc)
            return Verdict(allowed=True)
        if not full:
            return Verdict(allowed=True)
        retry_after = max(1, math.ceil(wait_ms / 1000))
        return Verdict(allowed=False, bucket=buckets[full - 1], retry_after=retry_after)

    async def _run(self, buckets: Sequence[Bucket]) -> list[int]:
        now_ms = int(self._clock() * 1000)
        keys = [KEY.format(kind=b.kind, subject=b.subject) for b in buckets]
        member = f"{now_ms}-{uuid.uuid4().hex}"
        args: list[str | int] = [now_ms, WINDOW_SECONDS * 1000, member]
        args += [b.limit for b in buckets]
        try:
            result = await self._redis.evalsha(SLIDING_WINDOW_SHA, len(keys), *keys, *args)
        except NoScriptError:
            # EVAL also caches the script. (SCRIPT LOAD, which redis-py's Script
            # helper uses, is missing from the embedded development Redis.)
            result = await self._redis.eval(SLIDING_WINDOW, len(keys), *keys, *args)
        return [int(value) for value in result]


def enforce(verdict: Verdict) -> None:
    """Raises the 429 problem for a refused request."""
    if verdict.allowed or verdict.bucket is None:
        return
    bucket = verdict.bucket
    RATE_LIMITED.labels(bucket.kind).inc()
    raise ProblemError(
        429,
        f"rate limit of {bucket.limit} requests per minute per {bucket.kind} exceeded",
        type_=RATE_LIMITED_TYPE,
        headers={
            "Retry-After": str(verdict.retry_after),
            "RateLimit-Limit": str(bucket.limit),
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(verdict.retry_after),
        },
    )
