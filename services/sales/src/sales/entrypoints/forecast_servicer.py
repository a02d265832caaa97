"""ForecastService servicer: parse, resolve the caller's access, call, map."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from crm.sales.v1 import forecasts_pb2 as pb
from crm.sales.v1 import forecasts_pb2_grpc
from crm_common.access import AccessContext
from crm_common.auth import require_authenticated
from crm_common.wire import parse_uuid
from sales.mappers_forecasts import forecast_to_pb, quota_to_pb
from sales.service_layer import forecasts
from sales.service_layer.deps import AccessResolver, SalesDeps

Context: TypeAlias = grpc.aio.ServicerContext


class ForecastServicer(forecasts_pb2_grpc.ForecastServiceServicer):
    def __init__(self, deps: SalesDeps, access: AccessResolver) -> None:
        self._deps = deps
        self._access = access

    async def _ctx(self) -> AccessContext:
        return await self._access.resolve(require_authenticated())

    async def GetForecast(self, request: pb.GetForecastRequest, context: Context) -> pb.Forecast:
        owner = str(parse_uuid(request.owner_id, "owner_id")) if request.owner_id else ""
        view = await forecasts.get_forecast(request.period, owner, await self._ctx(), self._deps)
        return forecast_to_pb(view)

    async def SetQuota(self, request: pb.SetQuotaRequest, context: Context) -> pb.Quota:
        cmd = forecasts.SetQuota(
            user_id=str(parse_uuid(request.user_id, "user_id")),
            period=request.period,
            amount=request.amount,
            currency=request.currency,
        )
        return quota_to_pb(await forecasts.set_quota(cmd, await self._ctx(), self._deps))

    async def ListQuotas(
        self, request: pb.ListQuotasRequest, context: Context
    ) -> pb.ListQuotasResponse:
        rows = await forecasts.list_quotas(request.period, await self._ctx(), self._deps)
        return pb.ListQuotasResponse(items=[quota_to_pb(row) for row in rows])
