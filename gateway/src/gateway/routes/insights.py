"""Help-desk insights (the support service decides access, module cases)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from gateway import mappers_knowledge as mappers
from gateway.deps import InsightsStub, RequireUser
from gateway.openapi import problem_responses
from gateway.schemas.insights import HelpDeskInsights

router = APIRouter(prefix="/insights", tags=["insights"], dependencies=[RequireUser])


@router.get(
    "/help-desk",
    responses=problem_responses(401, 403, 422),
    summary="Backlog, SLA compliance, response and resolution times",
    response_model_by_alias=True,
)
async def help_desk(
    insights: InsightsStub,
    *,
    from_: Annotated[
        str | None,
        Query(
            alias="from",
            max_length=40,
            description="ISO date (midnight UTC) or datetime; default: to - 30 days",
        ),
    ] = None,
    to: Annotated[
        str | None,
        Query(
            max_length=40,
            description="End (exclusive), after from, at most 366 days later; default: now",
        ),
    ] = None,
    group_id: Annotated[UUID | None, Query(description="Only this group's cases")] = None,
) -> HelpDeskInsights:
    """Only the cases you may see count. Backlog: the open cases now. SLA: the
    first-response and resolution targets due in [from, to). Times: business
    minutes of the cases first answered / resolved in [from, to)."""
    request = mappers.insights_request(from_, to, group_id)
    return mappers.insights_read(await insights.GetHelpDeskInsights(request))
