"""Fixed-window rate limits in Redis: one INCR+EXPIRE pipeline per request.

Buckets: per tenant and per principal for authenticated callers, per client IP
for anonymous ones (login, refresh, and requests whose credentials failed).

Redis-down policy: fail open everywhere, counted in
``crm_gateway_rate_limit_failures_total``. Limits protect capacity; they are not
a security boundary, and login keeps its own throttling in identity (per
account and IP), so a Redis outage degrades protection, never availability.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from gateway.metrics import RATE_LIMIT_FAILURES, RATE_LIMITED
from gateway.problem import ProblemError

log = logging.getLogger("crm.gateway.ratelimit")

WINDOW_SECONDS = 60
KEY = "crm:ratelimit:{kind}:{subject}:{window}"
RATE_LIMITED_TYPE = "urn:crm:problem:rate-limited"


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
        """Counts this request in every bucket; refuses when one is over its limit."""
        now = self._clock()
        window = int(now // WINDOW_SECONDS)
        try:
            counts = await self._increment(buckets, window)
        except (RedisError, OSError) as exc:  # policy: see the module docstring
            RATE_LIMIT_FAILURES.inc()
            log.warning("rate limit not enforced, Redis unavailable: %s", exc)
            return Verdict(allowed=True)
        retry_after = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
        for bucket, count in zip(buckets, counts, strict=True):
            if count > bucket.limit:
                return Verdict(allowed=False, bucket=bucket, retry_after=retry_after)
        return Verdict(allowed=True)

    async def _increment(self, buckets: Sequence[Bucket], window: int) -> list[int]:
        pipe = self._redis.pipeline(transaction=False)
        for bucket in buckets:
            key = KEY.format(kind=bucket.kind, subject=bucket.subject, window=window)
            pipe.incr(key)
            pipe.expire(key, WINDOW_SECONDS + 5)
        results = await pipe.execute()
        return [int(count) for count in results[0::2]]


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
