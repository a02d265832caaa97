"""InsightsService servicer: who is calling, call a handler, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.support.v1 import insights_pb2 as pb
from crm.support.v1 import insights_pb2_grpc
from crm_common.auth import require_authenticated
from support.mappers_knowledge import insights_to_pb
from support.service_layer import insights
from support.service_layer.deps import AccessResolver, SupportDeps

Context: TypeAlias = grpc.aio.ServicerContext


class InsightsServicer(insights_pb2_grpc.InsightsServiceServicer):
    def __init__(self, deps: SupportDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def GetHelpDeskInsights(
        self, request: pb.HelpDeskInsightsRequest, context: Context
    ) -> pb.HelpDeskInsights:
        ctx = await self._access.resolve(require_authenticated())
        asked = insights.InsightsRequest(request.from_time, request.to_time, request.group_id)
        found = await insights.help_desk_insights(asked, ctx, self._deps)
        return insights_to_pb(found.window, found.data)
