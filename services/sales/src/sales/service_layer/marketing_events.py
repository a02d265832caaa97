"""What sales does with marketing's lead events: keep the lead's score, and move
a freshly qualified lead to ``mql``.

Runs inside the consumer's unit of work (the inbox drops redeliveries, so each
event changes a lead once). Changes made here are the system's, not a user's:
``updated_by``/``changed_by`` stay empty and the events name no actor. A lead
that is deleted, converted or of another tenant is left alone.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from crm.common.v1 import events_pb2 as common_events
from crm.marketing.v1 import events_pb2 as marketing
from crm_common.db import UnitOfWork, utcnow
from crm_common.events.envelope import unpack_payload
from crm_common.recycle_bin import active
from sales.adapters.orm import LeadRow, LeadStatusHistoryRow
from sales.domain import events, model
from sales.service_layer import leads

CONSUMER = "sales-marketing-leads"
LEAD_SCORED = "crm.marketing.lead.scored"
LEAD_QUALIFIED = "crm.marketing.lead.qualified"
SUBJECTS = [LEAD_SCORED, LEAD_QUALIFIED]
QUALIFIABLE = (model.NEW, model.CONTACTED)


async def handle(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
    if envelope.type == LEAD_SCORED:
        scored = unpack_payload(envelope, marketing.LeadScored)
        await _rescore(uow, envelope.tenant_id, scored.lead_id, scored.score)
    elif envelope.type == LEAD_QUALIFIED:
        qualified = unpack_payload(envelope, marketing.LeadQualified)
        await _qualify(uow, envelope.tenant_id, qualified)


async def _lead(uow: UnitOfWork, tenant_id: str, lead_id: str) -> LeadRow | None:
    try:
        ids = uuid.UUID(tenant_id), uuid.UUID(lead_id)
    except ValueError:
        return None  # a malformed event changes nothing
    stmt = (
        sa.select(LeadRow)
        .where(LeadRow.tenant_id == ids[0], LeadRow.id == ids[1], active(LeadRow))
        .with_for_update()
    )
    lead = await uow.session.scalar(stmt)
    return lead if lead is not None and lead.status != model.CONVERTED else None


async def _rescore(uow: UnitOfWork, tenant_id: str, lead_id: str, score: int) -> None:
    lead = await _lead(uow, tenant_id, lead_id)
    score = _clamp(score)
    if lead is None or lead.score == score:
        return
    lead.score = score
    lead.updated_by = None
    uow.record(leads.lead_event(events.LEAD_UPDATED, lead, None, ["score"]))


async def _qualify(uow: UnitOfWork, tenant_id: str, qualified: marketing.LeadQualified) -> None:
    lead = await _lead(uow, tenant_id, qualified.lead_id)
    if lead is None or lead.status not in QUALIFIABLE:
        return
    previous, lead.status = lead.status, model.MQL
    lead.score = max(lead.score, _clamp(qualified.score))
    lead.updated_by = None
    reason = f"qualified by marketing (score {qualified.score} >= {qualified.threshold})"
    uow.session.add(
        LeadStatusHistoryRow(
            id=uuid.uuid4(),
            tenant_id=lead.tenant_id,
            lead_id=lead.id,
            from_status=previous,
            to_status=model.MQL,
            reason=reason,
            changed_at=utcnow(),
            changed_by=None,
        )
    )
    uow.record(leads.status_changed_event(lead, previous, reason, None))


def _clamp(score: int) -> int:
    return max(0, min(100, score))
