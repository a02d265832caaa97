"""Segments (module segments): saved filters over the read model, evaluated
live when their members are listed (or a campaign adds them)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, require, require_record_edit
from crm_common.errors import FieldViolation, InvalidArgument
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import soft_delete
from marketing.adapters.orm import ConsentRow, ProspectRow, SegmentRow
from marketing.adapters.segment_query import segment_where
from marketing.domain import segments as rules
from marketing.service_layer.common import (
    actor,
    check_version,
    commit,
    get_visible,
    page_visible,
    tenant_of,
)
from marketing.service_layer.deps import MarketingDeps

MODULE = "segments"
MAX_NAME = 200


@dataclass(frozen=True)
class SegmentInput:
    name: str
    description: str
    definition: rules.Definition


@dataclass(frozen=True)
class ProspectView:
    row: ProspectRow
    consent: str


def _validate(data: SegmentInput) -> None:
    if not data.name.strip() or len(data.name) > MAX_NAME:
        raise InvalidArgument(
            "name: 1..200 characters", [FieldViolation("name", "1..200 characters")]
        )
    if len(data.description) > 2000:
        raise InvalidArgument.for_field("description", "at most 2000 characters")
    rules.validate(data.definition)


async def create_segment(data: SegmentInput, ctx: AccessContext, deps: MarketingDeps) -> SegmentRow:
    require(ctx, MODULE, "create")
    _validate(data)
    async with deps.uow() as uow:
        row = SegmentRow(
            id=uuid.uuid4(), tenant_id=tenant_of(ctx), name=data.name.strip(),
            description=data.description, definition=data.definition.to_json(),
            owner_id=actor(ctx), created_by=actor(ctx), updated_by=actor(ctx),
        )  # fmt: skip
        uow.session.add(row)
        await uow.commit()
    return row


async def get_segment(segment_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps) -> SegmentRow:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await get_visible(uow.session, SegmentRow, ctx, MODULE, segment_id, what="segment")


async def list_segments(
    ctx: AccessContext, deps: MarketingDeps, *, limit: int, cursor: str | None
) -> Page[SegmentRow]:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await page_visible(uow.session, SegmentRow, ctx, MODULE, limit=limit, cursor=cursor)


async def update_segment(
    segment_id: uuid.UUID,
    data: SegmentInput,
    expected: int,
    ctx: AccessContext,
    deps: MarketingDeps,
) -> SegmentRow:
    require(ctx, MODULE, "edit")
    _validate(data)
    async with deps.uow() as uow:
        row = await get_visible(
            uow.session, SegmentRow, ctx, MODULE, segment_id, for_update=True, what="segment"
        )
        require_record_edit(ctx, MODULE, str(row.owner_id or ""))
        check_version(row, expected, "segment")
        row.name, row.description = data.name.strip(), data.description
        row.definition = data.definition.to_json()
        row.updated_by = actor(ctx)
        await commit(uow, "segment")
    return row


async def delete_segment(segment_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps) -> None:
    require(ctx, MODULE, "delete")
    async with deps.uow() as uow:
        row = await get_visible(
            uow.session, SegmentRow, ctx, MODULE, segment_id, for_update=True, what="segment"
        )
        require_record_edit(ctx, MODULE, str(row.owner_id or ""))
        await soft_delete(uow.session, SegmentRow, row.tenant_id, row.id, actor(ctx))
        await commit(uow, "segment")


async def consents_of(
    session: AsyncSession, tenant_id: uuid.UUID, emails: list[str]
) -> dict[str, str]:
    wanted = sorted({e for e in emails if e})
    if not wanted:
        return {}
    rows = await session.execute(
        sa.select(ConsentRow.email, ConsentRow.status).where(
            ConsentRow.tenant_id == tenant_id, ConsentRow.email.in_(wanted)
        )
    )
    return {email: status for email, status in rows.all()}


def members_query(row: SegmentRow, tenant_id: uuid.UUID, deps: MarketingDeps) -> sa.Select[Any]:
    definition = rules.Definition.from_json(row.definition)
    return sa.select(ProspectRow).where(*segment_where(definition, tenant_id, deps.now()))


async def segment_members(
    segment_id: uuid.UUID,
    ctx: AccessContext,
    deps: MarketingDeps,
    *,
    limit: int,
    cursor: str | None,
) -> Page[ProspectView]:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        row = await get_visible(uow.session, SegmentRow, ctx, MODULE, segment_id, what="segment")
        stmt = members_query(row, tenant_of(ctx), deps)
        page = await paginate(
            uow.session, stmt, (ProspectRow.created_at, ProspectRow.id), limit=limit, cursor=cursor
        )
        consent = await consents_of(uow.session, tenant_of(ctx), [p.email for p in page.items])
    views = [ProspectView(p, consent.get(p.email, "subscribed")) for p in page.items]
    return Page(views, page.next_cursor)
