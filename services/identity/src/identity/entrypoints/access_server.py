"""AccessService servicer: parse, call a handler, map. Nothing else."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.identity.v1 import access_pb2 as pb
from crm.identity.v1 import access_pb2_grpc
from crm_common.access.wire import to_pb
from crm_common.auth import require_authenticated
from identity.service_layer.access_resolution import access_for
from identity.service_layer.deps import IdentityDeps

Context: TypeAlias = grpc.aio.ServicerContext


class AccessServicer(access_pb2_grpc.AccessServiceServicer):
    def __init__(self, deps: IdentityDeps) -> None:
        self._deps = deps

    async def ResolveAccess(
        self, request: pb.ResolveAccessRequest, context: Context
    ) -> pb.AccessContext:
        principal = require_authenticated()
        async with self._deps.uow() as uow:
            return to_pb(await access_for(uow, principal))
