"""Engagements (module campaigns): what a lead or contact did. Each one rescores
the prospect in the same transaction (scored / qualified events with it); a
reply ends the prospect's sequences; with a campaign, its member's status
moves forward."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from crm_common.access import AccessContext, require
from crm_common.db import UnitOfWork
from crm_common.errors import FieldViolation, InvalidArgument, NotFound
from crm_common.pagination import Page, paginate
from marketing.adapters.orm import EngagementRow, MemberRow, ProspectRow
from marketing.domain.members import advance
from marketing.domain.segments import ENGAGEMENT_TYPES
from marketing.service_layer import exits, scoring
from marketing.service_layer.common import actor, tenant_of
from marketing.service_layer.deps import MarketingDeps

MODULE = "campaigns"
FUTURE_SKEW = timedelta(minutes=5)
OLDEST = timedelta(days=3650)
MEMBER_STATUS = {"email_opened": "opened", "email_clicked": "clicked", "email_replied": "responded",
                 "form_submitted": "responded", "webinar_attended": "responded"}  # fmt: skip


@dataclass(frozen=True)
class EngagementInput:
    lead_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    type: str
    occurred_at: datetime | None
    campaign_id: uuid.UUID | None = None


def _validate(data: EngagementInput, now: datetime) -> None:
    found: list[FieldViolation] = []
    if (data.lead_id is None) == (data.contact_id is None):
        found.append(FieldViolation("lead_id", "give exactly one of lead_id and contact_id"))
    if data.type not in ENGAGEMENT_TYPES:
        found.append(FieldViolation("type", f"must be one of {', '.join(ENGAGEMENT_TYPES)}"))
    if data.occurred_at is not None and not now - OLDEST <= data.occurred_at <= now + FUTURE_SKEW:
        found.append(FieldViolation("occurred_at", "must not be in the future or 10 years ago"))
    if found:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in found), found)


async def record(
    uow: UnitOfWork,
    prospect: ProspectRow,
    kind: str,
    occurred_at: datetime,
    deps: MarketingDeps,
    *,
    campaign_id: uuid.UUID | None = None,
    source: str = "api",
    created_by: uuid.UUID | None = None,
) -> EngagementRow:
    """Store one engagement and apply its effects inside ``uow``."""
    now = deps.now()
    row = EngagementRow(
        id=uuid.uuid4(), tenant_id=prospect.tenant_id, prospect_id=prospect.id,
        prospect_kind=prospect.kind, type=kind, occurred_at=occurred_at,
        campaign_id=campaign_id, source=source, created_by=created_by, created_at=now,
    )  # fmt: skip
    uow.session.add(row)
    await uow.session.flush()
    if prospect.last_engaged_at is None or occurred_at > prospect.last_engaged_at:
        prospect.last_engaged_at = occurred_at
    result = await scoring.rescore(uow, prospect, deps.settings, now)
    row.score = result.total
    if kind == "email_replied":
        await exits.exit_prospects(uow.session, prospect.tenant_id, [prospect.id], "replied", now)
    if campaign_id is not None and kind in MEMBER_STATUS:
        member = await uow.session.scalar(
            sa.select(MemberRow)
            .where(
                MemberRow.tenant_id == prospect.tenant_id,
                MemberRow.campaign_id == campaign_id,
                MemberRow.prospect_id == prospect.id,
            )
            .with_for_update()
        )
        if member is not None:
            advance(member, MEMBER_STATUS[kind], occurred_at)
    return row


async def create_engagement(
    data: EngagementInput, ctx: AccessContext, deps: MarketingDeps
) -> EngagementRow:
    require(ctx, MODULE, "create")
    now = deps.now()
    _validate(data, now)
    tenant_id = tenant_of(ctx)
    prospect_id = data.lead_id or data.contact_id
    kind = "lead" if data.lead_id else "contact"
    async with deps.uow() as uow:
        prospect = await uow.session.scalar(
            sa.select(ProspectRow)
            .where(
                ProspectRow.tenant_id == tenant_id,
                ProspectRow.id == prospect_id,
                ProspectRow.kind == kind,
                ProspectRow.deleted.is_(False),
            )
            .with_for_update()
        )
        if prospect is None:
            raise NotFound(f"{kind} not found (or not yet known to marketing)")
        row = await record(
            uow, prospect, data.type, data.occurred_at or now, deps,
            campaign_id=data.campaign_id, created_by=actor(ctx),
        )  # fmt: skip
        await uow.commit()
    return row


async def list_engagements(
    ctx: AccessContext,
    deps: MarketingDeps,
    prospect_id: uuid.UUID | None,
    *,
    limit: int,
    cursor: str | None,
) -> Page[EngagementRow]:
    require(ctx, MODULE, "view")
    stmt = sa.select(EngagementRow).where(EngagementRow.tenant_id == tenant_of(ctx))
    if prospect_id is not None:
        stmt = stmt.where(EngagementRow.prospect_id == prospect_id)
    async with deps.uow() as uow:
        return await paginate(
            uow.session, stmt, (EngagementRow.created_at, EngagementRow.id),
            limit=limit, cursor=cursor, descending=True,
        )  # fmt: skip
