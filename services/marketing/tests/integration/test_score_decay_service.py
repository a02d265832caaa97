"""Score decay against real PostgreSQL: as time passes the decay pass lowers an
engaged lead's engagement score, publishes the new total once, and leaves a lead
without engagements alone."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.events.envelope import parse_envelope
from crm_common.events.tables import OutboxMessage
from marketing.adapters.orm import ProspectRow
from marketing.domain.events import LEAD_SCORED
from marketing.service_layer import engagements, scoring, scoring_rules
from marketing.service_layer.deps import MarketingDeps

pytestmark = pytest.mark.asyncio(loop_scope="session")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _admin(tenant_id: uuid.UUID) -> AccessContext:
    return AccessContext(
        tenant_id=str(tenant_id), user_id=str(uuid.uuid4()), all_records=True,
        permissions={"*": frozenset({"*"})},
    )  # fmt: skip


def _at(deps: MarketingDeps, moment: datetime) -> MarketingDeps:
    return MarketingDeps(settings=deps.settings, uow=deps.uow, now=lambda: moment)


async def _lead(deps: MarketingDeps, tenant_id: uuid.UUID) -> uuid.UUID:
    lead = uuid.uuid4()
    async with deps.uow() as uow:
        uow.session.add(ProspectRow(
            tenant_id=tenant_id, id=lead, kind="lead", email=f"{lead.hex[:8]}@x.example",
            synced_at=START, created_at=START,
        ))  # fmt: skip
        await uow.commit()
    return lead


async def _prospect(deps: MarketingDeps, tenant_id: uuid.UUID, lead: uuid.UUID) -> ProspectRow:
    async with deps.uow() as uow:
        row = await uow.session.get(ProspectRow, (tenant_id, lead))
        assert row is not None
        return row


async def _scored_events(deps: MarketingDeps, lead: uuid.UUID) -> int:
    async with deps.uow() as uow:
        payloads = await uow.session.scalars(
            sa.select(OutboxMessage.payload).where(OutboxMessage.subject == LEAD_SCORED)
        )
        return sum(parse_envelope(p).subject_id == str(lead) for p in payloads)


async def test_decay_lowers_an_engaged_score_over_time(marketing_deps: MarketingDeps) -> None:
    tenant_id = uuid.uuid4()
    ctx, deps = _admin(tenant_id), _at(marketing_deps, START)
    rule = scoring_rules.RuleInput(
        name="Visits", kind="engagement", active=True, engagement_type="page_visited",
        points=10, max_points=40, half_life_days=7,
    )  # fmt: skip
    await scoring_rules.create_rule(rule, ctx, deps)
    engaged, idle = await _lead(deps, tenant_id), await _lead(deps, tenant_id)
    for _ in range(3):
        visit = engagements.EngagementInput(engaged, None, "page_visited", START)
        await engagements.create_engagement(visit, ctx, deps)
    fresh = await _prospect(deps, tenant_id, engaged)
    assert fresh.engagement_score == 30
    events_before = await _scored_events(deps, engaged)

    week_later = START + timedelta(days=7)
    rescored = await scoring.decay_all(deps.uow, deps.settings, week_later)
    assert rescored >= 1
    decayed = await _prospect(deps, tenant_id, engaged)
    assert decayed.engagement_score == 15  # one half-life
    assert decayed.score < fresh.score
    assert await _scored_events(deps, engaged) == events_before + 1

    await scoring.decay_all(deps.uow, deps.settings, week_later)  # nothing new to say
    assert await _scored_events(deps, engaged) == events_before + 1
    assert (await _prospect(deps, tenant_id, idle)).engagement_score == 0
