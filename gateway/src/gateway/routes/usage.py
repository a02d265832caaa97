"""API usage per UTC day and key, and the tenant's daily limit (identity's
ApiKeyService). Calls past a daily limit are answered 429 by the gateway."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from crm.identity.v1 import api_keys_pb2 as pb
from gateway.deps import ApiKeyStub, RequireUser
from gateway.openapi import problem_responses
from gateway.schemas.api_keys import UsageDayRead, UsageLimits, UsageReport

router = APIRouter(prefix="/usage", tags=["usage"], dependencies=[RequireUser])


@router.get(
    "",
    responses=problem_responses(401, 403, 422),
    summary="API calls per UTC day and API key (today's are live)",
)
async def get_usage(
    api_keys: ApiKeyStub,
    from_date: Annotated[
        date | None, Query(alias="from", description="First day (UTC); default 30 days ago")
    ] = None,
    to_date: Annotated[
        date | None, Query(alias="to", description="Last day, inclusive; default today")
    ] = None,
    key_id: Annotated[UUID | None, Query(description="Only this API key's calls")] = None,
) -> UsageReport:
    answer = await api_keys.GetUsage(
        pb.GetUsageRequest(
            from_date=from_date.isoformat() if from_date else "",
            to_date=to_date.isoformat() if to_date else "",
            key_id=str(key_id) if key_id else "",
        )
    )
    return UsageReport(
        items=[
            UsageDayRead(date=date.fromisoformat(d.date), key_id=d.key_id or None, calls=d.calls)
            for d in answer.items
        ],
        total=answer.total,
        daily_limit=answer.daily_limit,
    )


@router.get(
    "/limits", responses=problem_responses(401, 403, 422), summary="The tenant's daily API limit"
)
async def get_usage_limits(api_keys: ApiKeyStub) -> UsageLimits:
    answer = await api_keys.GetUsageLimits(pb.GetUsageLimitsRequest())
    return UsageLimits(daily_limit=answer.daily_limit)


@router.put(
    "/limits",
    responses=problem_responses(401, 403, 413, 422),
    summary="Set the tenant's daily API limit (0 = unlimited)",
)
async def set_usage_limits(body: UsageLimits, api_keys: ApiKeyStub) -> UsageLimits:
    answer = await api_keys.SetUsageLimits(pb.UsageLimits(daily_limit=body.daily_limit))
    return UsageLimits(daily_limit=answer.daily_limit)
