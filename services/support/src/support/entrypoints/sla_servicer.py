"""SlaService servicer: who is calling, call a handler, map."""

from __future__ import annotations

from crm.support.v1 import sla_pb2_grpc
from support.service_layer.deps import AccessResolver, SupportDeps


class SlaServicer(sla_pb2_grpc.SlaServiceServicer):
    def __init__(self, deps: SupportDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access
