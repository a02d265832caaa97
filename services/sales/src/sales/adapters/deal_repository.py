"""Queries of pipelines and deals, always within the caller's tenant; deals also
within the caller's visibility (another tenant's deal, a deleted one and one the
caller may not see are all simply *not found*)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, visible_filter
from crm_common.errors import InvalidArgument, NotFound
from crm_common.pagination import Page
from crm_common.recycle_bin import active
from sales.adapters.deal_keyset import SortKey, keyset_page, sort_key
from sales.adapters.orm_deals import (
    DealContactRoleRow,
    DealRow,
    DealSplitRow,
    DealStageHistoryRow,
    PipelineRow,
    StageRow,
)
from sales.adapters.repository import escape_like
from sales.domain.deals import DEALS

_Part = type[DealStageHistoryRow] | type[DealContactRoleRow] | type[DealSplitRow]


@dataclass(frozen=True)
class DealFilters:
    pipeline_id: uuid.UUID | None = None
    stage_id: uuid.UUID | None = None
    status: str = ""
    owner_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    q: str = ""
    close_date_from: date | None = None
    close_date_to: date | None = None
    tag: str = ""


@dataclass
class DealDetails:
    history: list[DealStageHistoryRow] = field(default_factory=list)
    contact_roles: list[DealContactRoleRow] = field(default_factory=list)
    splits: list[DealSplitRow] = field(default_factory=list)


class PipelineRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _live(self) -> list[sa.ColumnElement[bool]]:
        return [PipelineRow.tenant_id == self.tenant_id, active(PipelineRow)]

    async def get(self, pipeline_id: uuid.UUID, *, for_update: bool = False) -> PipelineRow:
        stmt = sa.select(PipelineRow).where(PipelineRow.id == pipeline_id, *self._live())
        pipeline = await self.session.scalar(stmt.with_for_update() if for_update else stmt)
        if pipeline is None:
            raise NotFound("pipeline not found")
        return pipeline

    async def get_referenced(self, pipeline_id: uuid.UUID) -> PipelineRow:
        """A pipeline a deal points at: 422 pipeline_id when the tenant has none such."""
        try:
            return await self.get(pipeline_id)
        except NotFound:
            raise InvalidArgument.for_field("pipeline_id", "no such pipeline") from None

    async def default(self) -> PipelineRow | None:
        stmt = sa.select(PipelineRow).where(PipelineRow.is_default, *self._live())
        return await self.session.scalar(stmt)

    async def all(self) -> list[PipelineRow]:
        stmt = sa.select(PipelineRow).where(*self._live())
        order = (PipelineRow.is_default.desc(), PipelineRow.name, PipelineRow.id)
        return list((await self.session.scalars(stmt.order_by(*order))).all())

    async def name_taken(self, name: str, but: uuid.UUID | None = None) -> bool:
        stmt = sa.select(PipelineRow.id).where(PipelineRow.name == name, *self._live())
        if but is not None:
            stmt = stmt.where(PipelineRow.id != but)
        return await self.session.scalar(stmt.limit(1)) is not None

    async def stages(self, pipeline_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[StageRow]]:
        found: dict[uuid.UUID, list[StageRow]] = {i: [] for i in pipeline_ids}
        stmt = (
            sa.select(StageRow)
            .where(StageRow.tenant_id == self.tenant_id, StageRow.pipeline_id.in_(pipeline_ids))
            .order_by(StageRow.pipeline_id, StageRow.position)
        )
        for stage in await self.session.scalars(stmt):
            found[stage.pipeline_id].append(stage)
        return found

    async def stages_with_deals(self, stage_ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
        """Stages any deal is at, the recycle bin's included (it may come back)."""
        if not stage_ids:
            return []
        stmt = sa.select(DealRow.stage_id).where(
            DealRow.tenant_id == self.tenant_id, DealRow.stage_id.in_(stage_ids)
        )
        return list((await self.session.scalars(stmt.distinct())).all())

    async def lock_defaults(self) -> None:
        """Seeding and changing the default pipeline of a tenant take turns."""
        await self.session.execute(
            sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
            {"k": f"sales:default-pipeline:{self.tenant_id}"},
        )


class DealRepository:
    def __init__(self, session: AsyncSession, ctx: AccessContext) -> None:
        self.session = session
        self.ctx = ctx
        self.tenant_id = uuid.UUID(ctx.tenant_id)

    def visible(self) -> list[sa.ColumnElement[bool]]:
        return [
            DealRow.tenant_id == self.tenant_id,
            active(DealRow),
            visible_filter(self.ctx, DEALS, DealRow.owner_id),
        ]

    async def get(self, deal_id: uuid.UUID, *, for_update: bool = False) -> DealRow:
        stmt = sa.select(DealRow).where(DealRow.id == deal_id, *self.visible())
        deal = await self.session.scalar(stmt.with_for_update() if for_update else stmt)
        if deal is None:
            raise NotFound("deal not found")
        return deal

    async def page(
        self, filters: DealFilters, sort: str, *, limit: int, cursor: str | None
    ) -> Page[DealRow]:
        key: SortKey = sort_key(sort)
        stmt = sa.select(DealRow).where(*self.visible(), *_conditions(filters))
        return await keyset_page(self.session, stmt, key, limit=limit, cursor=cursor)

    async def details(self, deal_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, DealDetails]:
        found = {i: DealDetails() for i in deal_ids}
        if not deal_ids:
            return found
        parts: list[tuple[_Part, str, Any]] = [
            (DealStageHistoryRow, "history", DealStageHistoryRow.changed_at),
            (DealContactRoleRow, "contact_roles", DealContactRoleRow.position),
            (DealSplitRow, "splits", DealSplitRow.position),
        ]
        for model, attr, order in parts:
            stmt = (
                sa.select(model)
                .where(model.tenant_id == self.tenant_id, model.deal_id.in_(list(deal_ids)))
                .order_by(order, model.id)
            )
            rows: Any = await self.session.scalars(stmt)
            for row in rows:
                getattr(found[row.deal_id], attr).append(row)
        return found


def _conditions(filters: DealFilters) -> list[sa.ColumnElement[bool]]:
    found: list[sa.ColumnElement[bool]] = []
    for column, value in (
        (DealRow.pipeline_id, filters.pipeline_id),
        (DealRow.stage_id, filters.stage_id),
        (DealRow.owner_id, filters.owner_id),
        (DealRow.account_id, filters.account_id),
    ):
        if value is not None:
            found.append(column == value)
    if filters.status:
        found.append(DealRow.status == filters.status)
    if filters.close_date_from is not None:
        found.append(DealRow.close_date >= filters.close_date_from)
    if filters.close_date_to is not None:
        found.append(DealRow.close_date <= filters.close_date_to)
    if filters.tag:
        found.append(DealRow.tags.contains([filters.tag]))  # @>, served by the GIN index
    if filters.q:
        found.append(DealRow.name.ilike(f"%{escape_like(filters.q)}%", escape="\\"))
    return found
