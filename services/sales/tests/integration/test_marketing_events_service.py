"""Marketing's lead events as sales applies them, against real PostgreSQL: the
score follows, a new or contacted lead qualifies to mql once, nothing moves
backwards, and other tenants' or converted leads are left alone."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from crm.marketing.v1 import events_pb2 as marketing
from crm_common.access import AccessContext
from crm_common.events.envelope import NewEvent, build_envelope
from crm_common.events.tables import OutboxMessage
from sales.domain.commands import ChangeLeadStatus, CreateLead
from sales.service_layer import leads, marketing_events
from sales.service_layer.deps import SalesDeps

WORK = frozenset({"view", "create", "edit"})


def _rep() -> AccessContext:
    user = str(uuid.uuid4())
    return AccessContext(
        tenant_id=str(uuid.uuid4()),
        user_id=user,
        permissions={"leads": WORK},
        own_ids=frozenset({user}),
    )


async def _lead(deps: SalesDeps, ctx: AccessContext, status: str = "") -> uuid.UUID:
    cmd = CreateLead(values={"last_name": "Byron", "company": "Poets"}, status=status)
    return (await leads.create_lead(cmd, ctx, deps))[0].row.id


async def _deliver(deps: SalesDeps, tenant: str, subject: str, payload: object) -> None:
    lead_id = getattr(payload, "lead_id", "")
    envelope = build_envelope(NewEvent(subject, tenant, lead_id, payload), source="marketing")
    async with deps.uow() as uow:
        await marketing_events.handle(uow, envelope)
        await uow.commit()


async def _subjects(deps: SalesDeps, tenant: str) -> list[str]:
    async with deps.uow() as uow:
        stmt = sa.select(OutboxMessage.subject).where(OutboxMessage.tenant_id == tenant)
        return list((await uow.session.scalars(stmt.order_by(OutboxMessage.seq))).all())


async def test_scores_follow_and_qualification_moves_to_mql_once(deps: SalesDeps) -> None:
    rep = _rep()
    lead_id = await _lead(deps, rep)
    await _deliver(deps, rep.tenant_id, marketing_events.LEAD_SCORED, marketing.LeadScored(
        lead_id=str(lead_id), score=140, fit_score=60, engagement_score=80
    ))  # fmt: skip
    qualified = marketing.LeadQualified(lead_id=str(lead_id), score=75, threshold=70)
    await _deliver(deps, rep.tenant_id, marketing_events.LEAD_QUALIFIED, qualified)
    await _deliver(deps, rep.tenant_id, marketing_events.LEAD_QUALIFIED, qualified)

    lead = await leads.get_lead(lead_id, rep, deps)
    assert (lead.row.score, lead.row.status) == (100, "mql")
    assert [h.to_status for h in lead.history] == ["new", "mql"]
    assert "score 75 >= 70" in lead.history[-1].reason and lead.history[-1].changed_by is None
    assert await _subjects(deps, rep.tenant_id) == [
        "crm.sales.lead.created",
        "crm.sales.lead.updated",
        "crm.sales.lead.status_changed",
    ]


async def test_nothing_moves_backwards_or_across_tenants(deps: SalesDeps) -> None:
    rep = _rep()
    sql_lead = await _lead(deps, rep, status="sql")
    lost = await _lead(deps, rep)
    await leads.change_status(ChangeLeadStatus(lost, "lost"), rep, deps)
    for lead_id in (sql_lead, lost):
        payload = marketing.LeadQualified(lead_id=str(lead_id), score=90, threshold=70)
        await _deliver(deps, rep.tenant_id, marketing_events.LEAD_QUALIFIED, payload)
    other_tenant = str(uuid.uuid4())
    await _deliver(deps, other_tenant, marketing_events.LEAD_SCORED, marketing.LeadScored(
        lead_id=str(sql_lead), score=5
    ))  # fmt: skip
    await _deliver(deps, rep.tenant_id, marketing_events.LEAD_SCORED, marketing.LeadScored(
        lead_id="not-a-uuid", score=5
    ))  # fmt: skip

    assert (await leads.get_lead(sql_lead, rep, deps)).row.status == "sql"
    assert (await leads.get_lead(sql_lead, rep, deps)).row.score == 0
    assert (await leads.get_lead(lost, rep, deps)).row.status == "lost"
    assert await _subjects(deps, other_tenant) == []
