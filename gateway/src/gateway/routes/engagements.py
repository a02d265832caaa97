"""Engagement tracking: what a lead or contact did (module campaigns). Each
engagement rescores the prospect at once."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from crm.marketing.v1 import marketing_pb2 as pb
from gateway import mappers_marketing as mappers
from gateway.deps import MarketingStub, RequireUser, UserIdempotency
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.marketing import EngagementCreate, EngagementPage, EngagementRead

router = APIRouter(prefix="/engagements", tags=["engagements"], dependencies=[RequireUser])


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 413, 422),
    summary="Record an engagement (the lead or contact must be known to marketing)",
)
async def create_engagement(body: EngagementCreate, marketing: MarketingStub) -> EngagementRead:
    answer = await marketing.CreateEngagement(mappers.engagement_request(body))
    return mappers.engagement_read(answer)


@router.get("", responses=problem_responses(401, 403, 422), summary="Engagements, newest first")
async def list_engagements(
    marketing: MarketingStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    lead_id: UUID | None = None,
    contact_id: UUID | None = None,
) -> EngagementPage:
    request = pb.ListEngagementsRequest(
        page=page_request(limit, cursor),
        lead_id=str(lead_id) if lead_id else "",
        contact_id=str(contact_id) if contact_id else "",
    )
    return mappers.engagement_page(await marketing.ListEngagements(request))
