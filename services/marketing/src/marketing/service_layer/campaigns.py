"""Campaigns (module campaigns) with members; launching an e-mail campaign also
needs email_campaigns:create and queues one send per member with an address
(the dispatcher mails them, throttled, checking consent at send time)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from crm.marketing.v1 import events_pb2
from crm_common.access import AccessContext, require, require_record_edit
from crm_common.errors import FailedPrecondition, FieldViolation, InvalidArgument, NotFound
from crm_common.events.envelope import NewEvent
from crm_common.money import minor_units
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import soft_delete
from marketing.adapters.orm import (
    CampaignRow,
    MemberRow,
    ProspectRow,
    SegmentRow,
    SendRow,
    TemplateRow,
)
from marketing.domain.events import CAMPAIGN_COMPLETED, CAMPAIGN_LAUNCHED
from marketing.domain.members import STATUSES, advance
from marketing.service_layer.common import (
    actor,
    check_version,
    commit,
    get_visible,
    page_visible,
    tenant_of,
)
from marketing.service_layer.deps import MarketingDeps
from marketing.service_layer.segments import members_query

MODULE = "campaigns"
EMAIL_MODULE = "email_campaigns"
TYPES = ("email", "webinar", "trade_show", "ads", "other")
CAMPAIGN_STATUSES = ("planned", "active", "completed", "aborted")
MONEY_FIELDS = ("budget", "actual_cost", "expected_revenue")
MAX_ADD = 50_000


def _money(name: str, value: str, found: list[FieldViolation]) -> Decimal | None:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        found.append(FieldViolation(name, "must be a decimal such as 1250.00"))
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        found.append(FieldViolation(name, "must be between 0 and 1e14"))
        return None
    return amount


def _date(name: str, value: str, found: list[FieldViolation]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        found.append(FieldViolation(name, "must be a date YYYY-MM-DD"))
        return None


def _uuid(name: str, value: str, found: list[FieldViolation]) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        found.append(FieldViolation(name, "must be a UUID"))
        return None


def clean(values: Mapping[str, str], *, creating: bool) -> dict[str, Any]:  # noqa: PLR0912
    """Wire values (strings) to column values; every bad field named."""
    found: list[FieldViolation] = []
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "name":
            if not value.strip() or len(value) > 200:
                found.append(FieldViolation("name", "1..200 characters"))
            out[name] = value.strip()
        elif name == "type":
            if value not in TYPES:
                found.append(FieldViolation("type", f"must be one of {', '.join(TYPES)}"))
            out[name] = value
        elif name == "status":
            if value not in ("planned", "aborted"):
                found.append(FieldViolation("status", "set planned or aborted (launch activates)"))
            out[name] = value
        elif name in MONEY_FIELDS:
            out[name] = _money(name, value or "0", found)
        elif name == "currency":
            code = value.upper()
            try:
                minor_units(code)
            except Exception:
                found.append(FieldViolation("currency", "must be an ISO 4217 code"))
            out[name] = code
        elif name in ("start", "end"):
            out[name] = _date(name, value, found)
        elif name in ("template_id", "segment_id"):
            out[name] = _uuid(name, value, found)
        elif name == "description":
            if len(value) > 5000:
                found.append(FieldViolation("description", "at most 5000 characters"))
            out[name] = value
    if creating and "name" not in values:
        found.append(FieldViolation("name", "is required"))
    if found:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in found), found)
    return out


def _check_dates(row: CampaignRow) -> None:
    if row.start and row.end and row.end < row.start:
        raise InvalidArgument.for_field("end", "must not be before start")


async def _check_refs(session: Any, ctx: AccessContext, row: CampaignRow) -> None:
    tenant_id = tenant_of(ctx)
    for name, model in (("template_id", TemplateRow), ("segment_id", SegmentRow)):
        ref = getattr(row, name)
        if ref is None:
            continue
        found = await session.scalar(
            sa.select(model.id).where(
                model.id == ref, model.tenant_id == tenant_id, model.deleted_at.is_(None)
            )
        )
        if found is None:
            raise InvalidArgument.for_field(name, "no such record in your tenant")


async def create_campaign(
    values: Mapping[str, str], ctx: AccessContext, deps: MarketingDeps
) -> CampaignRow:
    require(ctx, MODULE, "create")
    data = clean(values, creating=True)
    async with deps.uow() as uow:
        row = CampaignRow(id=uuid.uuid4(), tenant_id=tenant_of(ctx), owner_id=actor(ctx),
                          created_by=actor(ctx), updated_by=actor(ctx), type="email",
                          status="planned", currency="EUR")  # fmt: skip
        for name, value in data.items():
            setattr(row, name, value)
        for name in MONEY_FIELDS:
            if getattr(row, name) is None:
                setattr(row, name, Decimal(0))
        _check_dates(row)
        await _check_refs(uow.session, ctx, row)
        uow.session.add(row)
        await uow.commit()
    return row


async def get_campaign(
    campaign_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps
) -> CampaignRow:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await get_visible(
            uow.session, CampaignRow, ctx, MODULE, campaign_id, what="campaign"
        )


async def list_campaigns(
    ctx: AccessContext,
    deps: MarketingDeps,
    status: str,
    kind: str,
    *,
    limit: int,
    cursor: str | None,
) -> Page[CampaignRow]:
    require(ctx, MODULE, "view")
    where: list[Any] = []
    if status:
        where.append(CampaignRow.status == status)
    if kind:
        where.append(CampaignRow.type == kind)
    async with deps.uow() as uow:
        return await page_visible(uow.session, CampaignRow, ctx, MODULE, limit=limit,
                                  cursor=cursor, where=tuple(where))  # fmt: skip


async def _editable(uow: Any, ctx: AccessContext, campaign_id: uuid.UUID) -> CampaignRow:
    row = await get_visible(uow.session, CampaignRow, ctx, MODULE, campaign_id, for_update=True,
                            what="campaign")  # fmt: skip
    require_record_edit(ctx, MODULE, str(row.owner_id or ""))
    return row


async def update_campaign(
    campaign_id: uuid.UUID,
    values: Mapping[str, str],
    expected: int,
    ctx: AccessContext,
    deps: MarketingDeps,
) -> CampaignRow:
    require(ctx, MODULE, "edit")
    data = clean(values, creating=False)
    async with deps.uow() as uow:
        row = await _editable(uow, ctx, campaign_id)
        check_version(row, expected, "campaign")
        if "status" in data and row.status not in ("planned", "aborted"):
            raise FailedPrecondition(f"a {row.status} campaign's status is not set by hand")
        for name, value in data.items():
            setattr(row, name, value)
        _check_dates(row)
        await _check_refs(uow.session, ctx, row)
        row.updated_by = actor(ctx)
        await commit(uow, "campaign")
    return row


async def delete_campaign(campaign_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps) -> None:
    require(ctx, MODULE, "delete")
    async with deps.uow() as uow:
        row = await _editable(uow, ctx, campaign_id)
        await soft_delete(uow.session, CampaignRow, row.tenant_id, row.id, actor(ctx))
        await commit(uow, "campaign")


# ---- members ----


@dataclass(frozen=True)
class Added:
    added: int
    already: int
    unknown: list[str]


async def _insert_members(uow: Any, campaign: CampaignRow, prospects: list[ProspectRow]) -> int:
    if not prospects:
        return 0
    rows = [
        {"id": uuid.uuid4(), "tenant_id": campaign.tenant_id, "campaign_id": campaign.id,
         "prospect_id": p.id, "prospect_kind": p.kind, "email": p.email, "status": "targeted"}
        for p in prospects
    ]  # fmt: skip
    result = await uow.session.execute(
        insert(MemberRow).values(rows).on_conflict_do_nothing().returning(MemberRow.id)
    )
    return len(result.all())


async def add_members(
    campaign_id: uuid.UUID,
    lead_ids: list[uuid.UUID],
    contact_ids: list[uuid.UUID],
    segment_id: uuid.UUID | None,
    *,
    ctx: AccessContext,
    deps: MarketingDeps,
) -> Added:
    require(ctx, MODULE, "edit")
    if len(lead_ids) + len(contact_ids) > 1000:
        raise InvalidArgument.for_field("lead_ids", "at most 1000 ids per call (or a segment)")
    tenant_id = tenant_of(ctx)
    async with deps.uow() as uow:
        campaign = await _editable(uow, ctx, campaign_id)
        if campaign.status in ("completed", "aborted"):
            raise FailedPrecondition(f"the campaign is {campaign.status}")
        wanted = {(i, "lead") for i in lead_ids} | {(i, "contact") for i in contact_ids}
        prospects: list[ProspectRow] = []
        if wanted:
            found = await uow.session.scalars(
                sa.select(ProspectRow).where(
                    ProspectRow.tenant_id == tenant_id,
                    ProspectRow.id.in_([i for i, _ in wanted]),
                    ProspectRow.deleted.is_(False),
                )
            )
            prospects = [p for p in found if (p.id, p.kind) in wanted]
        known = {p.id for p in prospects}
        unknown = [str(i) for i, _ in sorted(wanted, key=str) if i not in known]
        if segment_id is not None:
            require(ctx, "segments", "view")
            segment = await get_visible(uow.session, SegmentRow, ctx, "segments", segment_id,
                                        what="segment")  # fmt: skip
            more = await uow.session.scalars(members_query(segment, tenant_id, deps).limit(MAX_ADD))
            prospects.extend(p for p in more if p.id not in known)
        added = await _insert_members(uow, campaign, prospects)
        if added and campaign.status == "active" and campaign.type == "email":
            await queue_campaign_sends(uow, campaign)
        await uow.commit()
    return Added(added, len(prospects) - added, unknown)


async def list_members(
    campaign_id: uuid.UUID,
    status: str,
    ctx: AccessContext,
    deps: MarketingDeps,
    *,
    limit: int,
    cursor: str | None,
) -> Page[MemberRow]:
    require(ctx, MODULE, "view")
    if status and status not in STATUSES:
        raise InvalidArgument.for_field("status", f"must be one of {', '.join(STATUSES)}")
    async with deps.uow() as uow:
        campaign = await get_visible(uow.session, CampaignRow, ctx, MODULE, campaign_id,
                                     what="campaign")  # fmt: skip
        stmt = sa.select(MemberRow).where(MemberRow.campaign_id == campaign.id)
        if status:
            stmt = stmt.where(MemberRow.status == status)
        return await paginate(uow.session, stmt, (MemberRow.created_at, MemberRow.id),
                              limit=limit, cursor=cursor)  # fmt: skip


async def _member(uow: Any, campaign: CampaignRow, member_id: uuid.UUID) -> MemberRow:
    member = await uow.session.scalar(
        sa.select(MemberRow)
        .where(MemberRow.campaign_id == campaign.id, MemberRow.id == member_id)
        .with_for_update()
    )
    if member is None:
        raise NotFound("member not found")
    return member


async def update_member(
    campaign_id: uuid.UUID, member_id: uuid.UUID, status: str, ctx: AccessContext,
    deps: MarketingDeps,
) -> MemberRow:  # fmt: skip
    require(ctx, MODULE, "edit")
    if status not in STATUSES or status == "targeted":
        raise InvalidArgument.for_field("status", "must be sent, opened, clicked, responded, "
                                        "unsubscribed or bounced")  # fmt: skip
    async with deps.uow() as uow:
        campaign = await _editable(uow, ctx, campaign_id)
        member = await _member(uow, campaign, member_id)
        advance(member, status, deps.now())
        await uow.commit()
    return member


async def remove_member(
    campaign_id: uuid.UUID, member_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps
) -> None:
    require(ctx, MODULE, "edit")
    async with deps.uow() as uow:
        campaign = await _editable(uow, ctx, campaign_id)
        member = await _member(uow, campaign, member_id)
        await uow.session.delete(member)
        await uow.commit()


# ---- launch ----


async def queue_campaign_sends(uow: Any, campaign: CampaignRow) -> int:
    """One queued send per member with an address (at most once: dedupe key)."""
    members = list(
        (
            await uow.session.scalars(
                sa.select(MemberRow).where(
                    MemberRow.campaign_id == campaign.id,
                    MemberRow.email != "",
                    MemberRow.status == "targeted",
                )
            )
        ).all()
    )
    if not members:
        return 0
    rows = [
        {"id": uuid.uuid4(), "tenant_id": campaign.tenant_id, "dedupe_key": f"c:{m.id}",
         "campaign_id": campaign.id, "member_id": m.id, "template_id": campaign.template_id,
         "prospect_id": m.prospect_id, "prospect_kind": m.prospect_kind, "email": m.email,
         "status": "queued"}
        for m in members
    ]  # fmt: skip
    result = await uow.session.execute(
        insert(SendRow).values(rows).on_conflict_do_nothing().returning(SendRow.id)
    )
    return len(result.all())


def _changed(row: CampaignRow, members: int) -> events_pb2.CampaignChanged:
    return events_pb2.CampaignChanged(
        campaign_id=str(row.id), type=row.type, status=row.status, members=members
    )


async def _count(uow: Any, campaign_id: uuid.UUID) -> int:
    return int(
        await uow.session.scalar(
            sa.select(sa.func.count()).where(MemberRow.campaign_id == campaign_id)
        )
        or 0
    )


async def launch(
    campaign_id: uuid.UUID, expected: int, ctx: AccessContext, deps: MarketingDeps
) -> CampaignRow:
    require(ctx, MODULE, "edit")
    async with deps.uow() as uow:
        row = await _editable(uow, ctx, campaign_id)
        check_version(row, expected, "campaign")
        if row.type == "email":
            require(ctx, EMAIL_MODULE, "create")
        if row.status != "planned":
            raise FailedPrecondition(
                f"only a planned campaign is launched; this one is {row.status}"
            )
        if row.type == "email":
            template = row.template_id and await uow.session.scalar(
                sa.select(TemplateRow.id).where(
                    TemplateRow.id == row.template_id, TemplateRow.tenant_id == row.tenant_id,
                    TemplateRow.deleted_at.is_(None),
                )
            )  # fmt: skip
            if not template:
                raise InvalidArgument.for_field(
                    "template_id", "an e-mail campaign needs a template"
                )
        if row.segment_id is not None:
            segment = await uow.session.scalar(
                sa.select(SegmentRow).where(
                    SegmentRow.id == row.segment_id, SegmentRow.tenant_id == row.tenant_id,
                    SegmentRow.deleted_at.is_(None),
                )
            )  # fmt: skip
            if segment is not None:
                prospects = list(
                    (await uow.session.scalars(
                        members_query(segment, row.tenant_id, deps).limit(MAX_ADD)
                    )).all()
                )  # fmt: skip
                await _insert_members(uow, row, prospects)
        row.status, row.launched_at, row.updated_by = "active", deps.now(), actor(ctx)
        if row.type == "email":
            await queue_campaign_sends(uow, row)
        changed = _changed(row, await _count(uow, row.id))
        uow.record(NewEvent(CAMPAIGN_LAUNCHED, str(row.tenant_id), str(row.id), changed,
                            actor_id=ctx.user_id))  # fmt: skip
        await commit(uow, "campaign")
    return row


async def complete(
    campaign_id: uuid.UUID, expected: int, ctx: AccessContext, deps: MarketingDeps
) -> CampaignRow:
    require(ctx, MODULE, "edit")
    async with deps.uow() as uow:
        row = await _editable(uow, ctx, campaign_id)
        check_version(row, expected, "campaign")
        if row.status != "active":
            raise FailedPrecondition(f"only an active campaign completes; this one is {row.status}")
        row.status, row.completed_at, row.updated_by = "completed", deps.now(), actor(ctx)
        changed = _changed(row, await _count(uow, row.id))
        uow.record(NewEvent(CAMPAIGN_COMPLETED, str(row.tenant_id), str(row.id), changed,
                            actor_id=ctx.user_id))  # fmt: skip
        await commit(uow, "campaign")
    return row
