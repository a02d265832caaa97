"""The cached resolver: one fetch per principal within the TTL, and an
access-changed event for the tenant empties its entries at once."""

from __future__ import annotations

from types import SimpleNamespace

from crm.identity.v1 import access_pb2, events_pb2
from crm_common.access.resolver import CachedAccessResolver
from crm_common.auth import Principal
from crm_common.events.envelope import NewEvent, build_envelope


async def test_cache_and_invalidation_by_tenant_event() -> None:
    calls: list[int] = []

    async def fetch() -> access_pb2.AccessContext:
        calls.append(1)
        return access_pb2.AccessContext(tenant_id="t1", user_id="u1")

    resolver = CachedAccessResolver(fetch, ttl_seconds=60)
    principal = Principal(kind="user", tenant_id="t1", user_id="u1")
    await resolver.resolve(principal)
    await resolver.resolve(principal)
    assert len(calls) == 1

    other_tenant = build_envelope(
        NewEvent("crm.identity.access.changed", "t2", "r", events_pb2.AccessChanged()),
        source="identity",
    )
    await resolver.on_access_changed(SimpleNamespace(data=other_tenant.SerializeToString()))
    await resolver.resolve(principal)
    assert len(calls) == 1  # another tenant's change keeps this cache

    same_tenant = build_envelope(
        NewEvent("crm.identity.access.changed", "t1", "r", events_pb2.AccessChanged()),
        source="identity",
    )
    await resolver.on_access_changed(SimpleNamespace(data=same_tenant.SerializeToString()))
    await resolver.resolve(principal)
    assert len(calls) == 2

    await resolver.on_access_changed(SimpleNamespace(data=b"not an envelope"))  # ignored
