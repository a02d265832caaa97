"""FieldService servicer: who is calling, call a handler, map."""

from __future__ import annotations

from crm.support.v1 import field_service_pb2_grpc
from support.service_layer.deps import AccessResolver, SupportDeps


class FieldServicer(field_service_pb2_grpc.FieldServiceServicer):
    def __init__(self, deps: SupportDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access
