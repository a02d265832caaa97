"""ApiKeyService servicer: parse, call a handler, map. Nothing else."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.identity.v1 import api_keys_pb2_grpc
from identity.service_layer.deps import IdentityDeps

Context: TypeAlias = grpc.aio.ServicerContext


class ApiKeyServicer(api_keys_pb2_grpc.ApiKeyServiceServicer):
    def __init__(self, deps: IdentityDeps) -> None:
        self._deps = deps
