"""Payloads of deal events: ids, owner, account, pipeline and stage, status and
amount; never contact details, so no field rule can be bypassed through them."""

from __future__ import annotations

from crm.sales.v1 import deals_pb2
from crm_common.access import AccessContext
from crm_common.events.envelope import NewEvent
from crm_common.money import Money
from sales.adapters.orm_deals import DealRow
from sales.domain import deals as rules
from sales.service_layer.deal_units import event


def _amount(deal: DealRow) -> str:
    """Wire format: "1234.50" (the currency's minor digits), empty without an amount."""
    return "" if deal.amount is None else Money(deal.amount, deal.currency).to_str()


def deal_changed(
    subject: str, deal: DealRow, ctx: AccessContext, changed: list[str] | None = None
) -> NewEvent:
    payload = deals_pb2.DealChanged(
        deal_id=str(deal.id),
        owner_id=str(deal.owner_id),
        account_id=str(deal.account_id or ""),
        pipeline_id=str(deal.pipeline_id),
        stage_id=str(deal.stage_id),
        status=deal.status,
        amount=_amount(deal),
        currency=deal.currency,
        lead_id=str(deal.lead_id or ""),
        changed_fields=changed or [],
    )
    return event(subject, deal, payload, ctx)


def stage_moved(
    deal: DealRow, ctx: AccessContext, from_stage: str, from_status: str
) -> list[NewEvent]:
    """stage_changed, plus won or lost when the move closed the deal."""
    payload = deals_pb2.DealStageChanged(
        deal_id=str(deal.id),
        owner_id=str(deal.owner_id),
        account_id=str(deal.account_id or ""),
        pipeline_id=str(deal.pipeline_id),
        from_stage_id=from_stage,
        to_stage_id=str(deal.stage_id),
        from_status=from_status,
        to_status=deal.status,
        amount=_amount(deal),
        currency=deal.currency,
        probability=deal.probability,
    )
    found = [event(rules.DEAL_STAGE_CHANGED, deal, payload, ctx)]
    closed = {rules.WON: rules.DEAL_WON, rules.LOST: rules.DEAL_LOST}.get(deal.status)
    if closed and from_status != deal.status:
        found.append(event(closed, deal, payload, ctx))
    return found
