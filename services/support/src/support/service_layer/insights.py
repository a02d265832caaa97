"""Help-desk insights: backlog, SLA compliance, first-response and resolution
times, in total, per group and per agent.

Reads only; needs ``cases:view``. Only the cases the caller may see count
(``visible_filter`` on the owner, module ``cases``), within the caller's tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crm_common.access import AccessContext, require
from crm_common.db import utcnow
from support.adapters.insights_queries import CASES_MODULE, InsightsData, InsightsQueries
from support.domain.insights import InsightsWindow, parse_window
from support.service_layer.deps import SupportDeps


@dataclass(frozen=True)
class InsightsRequest:
    from_text: str = ""
    to_text: str = ""
    group_text: str = ""


@dataclass(frozen=True)
class Insights:
    window: InsightsWindow
    data: InsightsData


async def help_desk_insights(
    request: InsightsRequest,
    ctx: AccessContext,
    deps: SupportDeps,
    *,
    now: datetime | None = None,
) -> Insights:
    require(ctx, CASES_MODULE, "view")
    moment = now or utcnow()
    window = parse_window(request.from_text, request.to_text, request.group_text, moment)
    async with deps.uow() as uow:
        data = await InsightsQueries(uow.session, ctx).collect(window, moment)
    return Insights(window, data)
