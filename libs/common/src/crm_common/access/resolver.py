"""How a service other than identity obtains a caller's AccessContext: identity's
``ResolveAccess`` over gRPC, cached for a few seconds per principal.

The short TTL is what bounds staleness: a permission change reaches every
service within ``ttl_seconds`` (identity also announces it as
``crm.identity.access.changed`` for anything that wants to react sooner).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc

from crm.identity.v1 import access_pb2
from crm_common import errors
from crm_common.access.context import AccessContext
from crm_common.access.wire import from_pb
from crm_common.auth import Principal
from crm_common.events.envelope import parse_envelope
from crm_common.grpc.errors import read_failure

log = logging.getLogger(__name__)

Fetch = Callable[[], Awaitable[access_pb2.AccessContext]]
ACCESS_CHANGED_SUBJECT = "crm.identity.access.changed"


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
        ctx = from_pb(await self._fetch_for_caller())
        if len(self._cache) >= self._max:
            self._cache.clear()  # bounded memory; a burst of misses is cheap
        self._cache[key] = (now, ctx)
        return ctx

    async def _fetch_for_caller(self) -> access_pb2.AccessContext:
        try:
            return await self._fetch()
        except grpc.RpcError as exc:
            # Identity no longer accepts the principal (an API key revoked or expired
            # since the gateway cached it): the caller's 401, not this service's 500.
            failure = read_failure(exc)
            if failure.code == grpc.StatusCode.UNAUTHENTICATED:
                raise errors.Unauthenticated(failure.message) from exc
            raise

    async def on_access_changed(self, msg: Any) -> None:
        """NATS callback for ``crm.identity.access.changed``: forget the tenant's contexts
        now rather than when the TTL runs out."""
        try:
            self.invalidate_tenant(parse_envelope(msg.data).tenant_id)
        except Exception:  # a bad message must not stop the subscription
            log.warning("undecodable access-changed message ignored")

    def invalidate_tenant(self, tenant_id: str) -> None:
        for key in [k for k in self._cache if k[0] == tenant_id]:
            self._cache.pop(key, None)
