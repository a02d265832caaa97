"""The campaign report: reach and rates over members, cost per lead, and the
revenue attributed from won deals.

Attribution rule: a deal won (``crm.sales.deal.won``) counts for a campaign when
one of its members was added before the deal was won and is
- a contact of the deal's account, or
- a lead converted into that deal, or converted into the deal's account.
Every such campaign gets the deal's full amount (multi-touch, full credit);
each deal counts once per campaign. Amounts in the campaign's currency add up
to ``attributed_revenue``; deals in other currencies are listed per currency
(no conversion).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from crm_common.access import AccessContext, require
from crm_common.money import round_half_up
from marketing.adapters.orm import CampaignRow, MemberRow, ProspectRow, WonDealRow
from marketing.service_layer.common import get_visible
from marketing.service_layer.deps import MarketingDeps

MODULE = "campaigns"


@dataclass
class Report:
    campaign: CampaignRow
    members: int = 0
    reach: int = 0
    sent: int = 0
    opened: int = 0
    clicked: int = 0
    responded: int = 0
    bounced: int = 0
    unsubscribed: int = 0
    leads: int = 0
    won_deals: int = 0
    attributed: Decimal = Decimal(0)
    other: dict[str, Decimal] = field(default_factory=dict)

    def rate(self, count: int) -> str:
        if not self.members:
            return "0.0000"
        return str((Decimal(count) / Decimal(self.members)).quantize(Decimal("0.0001")))

    @property
    def cost_per_lead(self) -> str:
        if not self.leads:
            return ""
        cost = self.campaign.actual_cost / Decimal(self.leads)
        return str(round_half_up(cost, self.campaign.currency))


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.count().filter(condition)


async def campaign_report(
    campaign_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps
) -> Report:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        session = uow.session
        campaign = await get_visible(session, CampaignRow, ctx, MODULE, campaign_id,
                                     what="campaign")  # fmt: skip
        m = MemberRow
        counts = (
            await session.execute(
                sa.select(
                    sa.func.count(),
                    _count(sa.or_(m.sent_at.is_not(None), m.responded_at.is_not(None))),
                    _count(m.sent_at.is_not(None)),
                    _count(sa.or_(m.opened_at.is_not(None), m.clicked_at.is_not(None))),
                    _count(m.clicked_at.is_not(None)),
                    _count(m.responded_at.is_not(None)),
                    _count(m.status == "bounced"),
                    _count(m.status == "unsubscribed"),
                    _count(m.prospect_kind == "lead"),
                ).where(m.campaign_id == campaign.id)
            )
        ).one()
        n = [int(c or 0) for c in counts]
        report = Report(
            campaign, members=n[0], reach=n[1], sent=n[2], opened=n[3], clicked=n[4],
            responded=n[5], bounced=n[6], unsubscribed=n[7], leads=n[8],
        )  # fmt: skip
        p = ProspectRow
        d = WonDealRow
        matched = sa.exists(
            sa.select(m.id)
            .join(p, sa.and_(p.tenant_id == m.tenant_id, p.id == m.prospect_id))
            .where(
                m.campaign_id == campaign.id,
                m.created_at <= d.won_at,
                sa.or_(
                    sa.and_(p.kind == "contact", p.account_id == d.account_id),
                    sa.and_(
                        p.kind == "lead",
                        sa.or_(p.converted_deal_id == d.deal_id, p.account_id == d.account_id),
                    ),
                ),
            )
        )
        deals = (
            await session.execute(
                sa.select(d.currency, sa.func.count(), sa.func.sum(d.amount))
                .where(d.tenant_id == campaign.tenant_id, matched)
                .group_by(d.currency)
            )
        ).all()
    for currency, number, amount in deals:
        report.won_deals += int(number)
        if currency == campaign.currency:
            report.attributed += Decimal(amount or 0)
        else:
            report.other[currency] = Decimal(amount or 0)
    return report
