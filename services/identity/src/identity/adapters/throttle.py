"""Login throttling in Redis, shared by every identity replica.

Failed attempts per (tenant, e-mail) are counted in a window; past the limit
the account's logins are refused until the window ends, whatever the password.
"""

from __future__ import annotations

from redis.asyncio import Redis

from crm_common.errors import RateLimited

KEY = "crm:login:failures:{tenant}:{email}"


class LoginThrottle:
    def __init__(self, redis: Redis, *, max_failures: int, window_seconds: int) -> None:
        self._redis = redis
        self._max = max_failures
        self._window = window_seconds

    async def check(self, tenant: str, email: str) -> None:
        key = KEY.format(tenant=tenant, email=email)
        failures = await self._redis.get(key)
        if failures is not None and int(failures) >= self._max:
            ttl = await self._redis.ttl(key)
            raise RateLimited("too many failed logins; try again later", max(1, ttl))

    async def failed(self, tenant: str, email: str) -> None:
        key = KEY.format(tenant=tenant, email=email)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self._window, nx=True)
            await pipe.execute()

    async def succeeded(self, tenant: str, email: str) -> None:
        await self._redis.delete(KEY.format(tenant=tenant, email=email))
