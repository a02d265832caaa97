"""How a service other than identity obtains a caller's AccessContext: identity's
``ResolveAccess`` over gRPC, cached for a few seconds per principal.

The short TTL is what bounds staleness: a permission change reaches every
service within ``ttl_seconds`` (identity also announces it as
``crm.identity.access.changed`` for anything that wants to react sooner).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from crm.identity.v1 import access_pb2
from crm_common.access.context import AccessContext
from crm_common.access.wire import from_pb
from crm_common.auth import Principal

Fetch = Callable[[], Awaitable[access_pb2.AccessContext]]


class CachedAccessResolver:
    def __init__(
        self, fetch: Fetch, *, ttl_seconds: float = 5.0, max_entries: int = 10_000
    ) -> None:
        self._fetch = fetch  # calls ResolveAccess with the current principal's metadata
        self._ttl = ttl_seconds
        self._max = max_entries
        self._cache: dict[tuple[str, str, str], tuple[float, AccessContext]] = {}

    async def resolve(self, principal: Principal) -> AccessContext:
        key = (principal.tenant_id, principal.user_id, principal.extra.get("api_key_id", ""))
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self._ttl:
            return hit[1]
        ctx = from_pb(await self._fetch())
        if len(self._cache) >= self._max:
            self._cache.clear()  # bounded memory; a burst of misses is cheap
        self._cache[key] = (now, ctx)
        return ctx

    def invalidate_tenant(self, tenant_id: str) -> None:
        for key in [k for k in self._cache if k[0] == tenant_id]:
            self._cache.pop(key, None)
