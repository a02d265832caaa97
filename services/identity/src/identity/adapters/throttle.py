"""Login throttling in Redis, shared by every identity replica.

Failed attempts per (tenant, e-mail) are counted in a window; past the limit
the account's logins are refused until the window ends, whatever the password.

Redis-down policy: password logins fail closed (``Unavailable``, 503 at the
gateway). This throttle is the brute-force defence, so logins are not attempted
while it cannot count; sessions already open go on (tokens verify at the
gateway, refresh tokens live in PostgreSQL). See docs/operations.md.
"""

from __future__ import annotations

import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from crm_common.errors import RateLimited, Unavailable

log = logging.getLogger("identity.throttle")

KEY = "crm:login:failures:{tenant}:{email}"


class LoginThrottle:
    def __init__(self, redis: Redis, *, max_failures: int, window_seconds: int) -> None:
        self._redis = redis
        self._max = max_failures
        self._window = window_seconds

    async def check(self, tenant: str, email: str) -> None:
        key = KEY.format(tenant=tenant, email=email)
        try:
            failures = await self._redis.get(key)
            ttl = await self._redis.ttl(key) if failures is not None else 0
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from exc
        if failures is not None and int(failures) >= self._max:
            raise RateLimited("too many failed logins; try again later", max(1, ttl))

    async def failed(self, tenant: str, email: str) -> None:
        key = KEY.format(tenant=tenant, email=email)
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, self._window, nx=True)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise _unavailable(exc) from exc

    async def succeeded(self, tenant: str, email: str) -> None:
        try:
            await self._redis.delete(KEY.format(tenant=tenant, email=email))
        except (RedisError, OSError) as exc:  # the login stands; the count expires anyway
            log.warning("could not reset the failed-login count: %s", exc)


def _unavailable(exc: Exception) -> Unavailable:
    log.warning("login refused, its throttle cannot reach Redis: %s", exc)
    return Unavailable("logins are unavailable for a moment; retry later")
