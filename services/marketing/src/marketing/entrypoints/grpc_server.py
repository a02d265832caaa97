"""MarketingService servicer: who is calling, call a handler, map."""

from __future__ import annotations

from crm.marketing.v1 import marketing_pb2_grpc
from marketing.service_layer.deps import AccessResolver, MarketingDeps


class MarketingServicer(marketing_pb2_grpc.MarketingServiceServicer):
    def __init__(self, deps: MarketingDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access
