"""Identity as every other service sees it: one channel to its AccessService,
and ResolveAccess for the current principal, cached briefly."""

from __future__ import annotations

import grpc

from crm.identity.v1 import access_pb2, access_pb2_grpc
from crm_common.access.resolver import CachedAccessResolver
from crm_common.grpc.client import create_channel

ACCESS_SERVICE = "crm.identity.v1.AccessService"
# Read-only: the only calls the channel may retry.
IDEMPOTENT_METHODS = (
    "ResolveAccess",
    "GetOrgChart",
    "ResolveGroupUsers",
    "ResolveUserContacts",
    "ResolveUsersWithPermission",
)


def identity_channel(addr: str, internal_secret: str) -> grpc.aio.Channel:
    return create_channel(
        addr,
        service=ACCESS_SERVICE,
        internal_secret=internal_secret,
        idempotent_methods=list(IDEMPOTENT_METHODS),
    )


def access_resolver(channel: grpc.aio.Channel, ttl_seconds: float) -> CachedAccessResolver:
    """The principal travels in metadata (the client interceptor forwards it)."""
    stub = access_pb2_grpc.AccessServiceStub(channel)
    return CachedAccessResolver(
        lambda: stub.ResolveAccess(access_pb2.ResolveAccessRequest()), ttl_seconds=ttl_seconds
    )
