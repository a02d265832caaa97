"""Scores of prospects: recompute from the tenant's rules and the prospect's
engagements, store them, and publish ``crm.marketing.lead.scored`` when a
lead's total changes and ``crm.marketing.lead.qualified`` when it crosses the
tenant's MQL threshold upwards (once per crossing; falling below re-arms).
Runs inside the caller's unit of work: events commit with the scores."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm.marketing.v1 import events_pb2
from crm_common.db import UnitOfWork
from crm_common.events.envelope import NewEvent
from crm_common.runtime import Job
from marketing.adapters.orm import EngagementRow, ProspectRow, ScoringRuleRow
from marketing.config import MarketingSettings
from marketing.domain import scoring
from marketing.domain.conditions import Condition
from marketing.domain.events import LEAD_QUALIFIED, LEAD_SCORED
from marketing.service_layer.common import tenant_settings

log = logging.getLogger("marketing.scoring")
BATCH = 500
DECAY_HORIZON_DAYS = 3650


@dataclass(frozen=True)
class Rules:
    fit: list[scoring.FitRule]
    engagement: list[scoring.EngagementRule]


async def load_rules(session: AsyncSession, tenant_id: uuid.UUID) -> Rules:
    rows = await session.scalars(
        sa.select(ScoringRuleRow).where(
            ScoringRuleRow.tenant_id == tenant_id,
            ScoringRuleRow.deleted_at.is_(None),
            ScoringRuleRow.active.is_(True),
        )
    )
    fit, engaged = [], []
    for r in rows:
        if r.kind == "fit":
            cond = Condition(r.field, r.op, r.value, tuple(r.values or ()))
            fit.append(scoring.FitRule(cond, r.points))
        else:
            engaged.append(
                scoring.EngagementRule(r.engagement_type, r.points, r.max_points, r.half_life_days)
            )
    return Rules(fit, engaged)


def attributes(p: ProspectRow) -> dict[str, Any]:
    return {
        "email": p.email, "first_name": p.first_name, "last_name": p.last_name,
        "company": p.company, "title": p.title, "industry": p.industry, "country": p.country,
        "language": p.language, "status": p.status, "source": p.source,
        "owner_id": str(p.owner_id) if p.owner_id else "", "employees": p.employees,
    }  # fmt: skip


async def rescore(
    uow: UnitOfWork,
    prospect: ProspectRow,
    settings: MarketingSettings,
    now: datetime,
    rules: Rules | None = None,
) -> scoring.Score:
    session = uow.session
    rules = rules or await load_rules(session, prospect.tenant_id)
    engagements = [
        (kind, at)
        for kind, at in (
            await session.execute(
                sa.select(EngagementRow.type, EngagementRow.occurred_at).where(
                    EngagementRow.tenant_id == prospect.tenant_id,
                    EngagementRow.prospect_id == prospect.id,
                )
            )
        ).all()
    ]
    result = scoring.score(rules.fit, rules.engagement, attributes(prospect), engagements, now)
    threshold = (await tenant_settings(session, prospect.tenant_id, settings)).mql_threshold
    before = prospect.score
    prospect.fit_score, prospect.engagement_score = result.fit, result.engagement
    prospect.score, prospect.scored_at = result.total, now
    crossing = scoring.crossing(prospect.qualified, result.total, threshold)
    prospect.qualified = crossing.qualified
    if prospect.kind != "lead" or prospect.deleted:
        return result
    tenant, lead = str(prospect.tenant_id), str(prospect.id)
    if result.total != before:
        payload = events_pb2.LeadScored(
            lead_id=lead, score=result.total, fit_score=result.fit,
            engagement_score=result.engagement,
        )  # fmt: skip
        uow.record(NewEvent(LEAD_SCORED, tenant, lead, payload))
    if crossing.newly:
        qualified = events_pb2.LeadQualified(lead_id=lead, score=result.total, threshold=threshold)
        uow.record(NewEvent(LEAD_QUALIFIED, tenant, lead, qualified))
    return result


async def rescore_tenant(
    uow_factory: Callable[[], UnitOfWork],
    tenant_id: uuid.UUID,
    settings: MarketingSettings,
    now: datetime,
    *,
    only_engaged: bool = False,
) -> int:
    """Every live prospect of the tenant (or those with engagements: decay), in
    committed batches. Returns how many were rescored."""
    done, after = 0, uuid.UUID(int=0)
    while True:
        async with uow_factory() as uow:
            stmt = (
                sa.select(ProspectRow)
                .where(
                    ProspectRow.tenant_id == tenant_id,
                    ProspectRow.deleted.is_(False),
                    ProspectRow.id > after,
                )
                .order_by(ProspectRow.id)
                .limit(BATCH)
                .with_for_update(skip_locked=True)
            )
            if only_engaged:
                horizon = now - timedelta(days=DECAY_HORIZON_DAYS)
                stmt = stmt.where(ProspectRow.last_engaged_at >= horizon)
            rows = list((await uow.session.scalars(stmt)).all())
            rules = await load_rules(uow.session, tenant_id)
            for row in rows:
                await rescore(uow, row, settings, now, rules)
            await uow.commit()
        done += len(rows)
        if len(rows) < BATCH:
            return done
        after = rows[-1].id


async def decay_all(
    uow_factory: Callable[[], UnitOfWork], settings: MarketingSettings, now: datetime
) -> int:
    """Decay lowers engagement scores as time passes: rescore engaged prospects of
    every tenant that has a decaying rule."""
    async with uow_factory() as uow:
        tenants = list(
            (
                await uow.session.scalars(
                    sa.select(ScoringRuleRow.tenant_id)
                    .where(
                        ScoringRuleRow.deleted_at.is_(None),
                        ScoringRuleRow.active.is_(True),
                        ScoringRuleRow.half_life_days > 0,
                    )
                    .distinct()
                )
            ).all()
        )
    total = 0
    for tenant_id in tenants:
        total += await rescore_tenant(uow_factory, tenant_id, settings, now, only_engaged=True)
    return total


def decay_job(
    uow_factory: Callable[[], UnitOfWork],
    settings: MarketingSettings,
    clock: Callable[[], datetime],
) -> Job:
    every = settings.marketing_rescore_poll_seconds

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            if stop.is_set():
                return
            try:
                await decay_all(uow_factory, settings, clock())
            except Exception:
                log.exception("score decay failed")

    return job
