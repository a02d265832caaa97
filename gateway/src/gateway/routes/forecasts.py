"""Forecasts and quotas (the sales service computes them)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from crm.sales.v1 import forecasts_pb2 as pb
from gateway.deps import ForecastStub, RequireUser
from gateway.openapi import problem_responses
from gateway.proto_json import plain
from gateway.schemas.forecasts import Forecast, Period, Quota, QuotaList, QuotaSet

router = APIRouter(tags=["forecasts"], dependencies=[RequireUser])

# Empty in proto3, null in JSON.
OPTIONAL = ("quota", "attainment_percent", "role_id", "parent_id")


@router.get(
    "/forecasts",
    responses=problem_responses(401, 403, 404, 422),
    summary="Pipeline, weighted, best case, commit and closed won per owner, rolled up by role",
)
async def get_forecast(
    forecasts: ForecastStub,
    period: Annotated[Period, Query()],
    owner_id: Annotated[UUID | None, Query(description="Default: you")] = None,
) -> Forecast:
    request = pb.GetForecastRequest(period=period, owner_id=str(owner_id) if owner_id else "")
    return Forecast.model_validate(_plain(await forecasts.GetForecast(request)))


@router.get("/quotas", responses=problem_responses(401, 403, 422), summary="Quotas of a period")
async def list_quotas(forecasts: ForecastStub, period: Annotated[Period, Query()]) -> QuotaList:
    response = await forecasts.ListQuotas(pb.ListQuotasRequest(period=period))
    return QuotaList.model_validate(_plain(response))


@router.put(
    "/quotas",
    responses=problem_responses(401, 403, 413, 422),
    summary="Set a user's quota for a period (managers: for users below them)",
)
async def set_quota(body: QuotaSet, forecasts: ForecastStub) -> Quota:
    request = pb.SetQuotaRequest(**body.model_dump())
    return Quota.model_validate(_plain(await forecasts.SetQuota(request)))


def _plain(message: Any) -> dict[str, Any]:
    return plain(message, OPTIONAL)
