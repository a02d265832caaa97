"""Queries of cases, always within the caller's tenant and visibility, plus their
comments, SLA pauses, numbers and the locks that make group assignment fair."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, visible_filter
from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from support.adapters.orm_cases import (
    CASE_RECORD_OWNER,
    CaseCommentRow,
    CasePauseRow,
    CaseRow,
    GroupCursorRow,
)
from support.domain.cases import DONE, MODULE
from support.domain.sla_clock import Pause

RECORD_OWNER = CASE_RECORD_OWNER


def record_owner(row: CaseRow) -> str:
    return str(row.owner_id or row.group_id or row.created_by or "")


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    priority: str = ""
    owner_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    sla_status: str = ""


class CaseRepository:
    def __init__(self, session: AsyncSession, ctx: AccessContext) -> None:
        self.session = session
        self.ctx = ctx
        self.tenant_id = uuid.UUID(ctx.tenant_id)

    def _visible(self) -> list[sa.ColumnElement[bool]]:
        return [
            CaseRow.tenant_id == self.tenant_id,
            active(CaseRow),
            visible_filter(self.ctx, MODULE, RECORD_OWNER),
        ]

    async def get(self, case_id: uuid.UUID, *, for_update: bool = False) -> CaseRow:
        stmt = sa.select(CaseRow).where(CaseRow.id == case_id, *self._visible())
        if for_update:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        row = await self.session.scalar(stmt)
        if row is None:
            raise NotFound("case not found")
        return row

    async def page(self, filters: CaseFilters, *, limit: int, cursor: str | None) -> Page[CaseRow]:
        stmt = sa.select(CaseRow).where(*self._visible(), *_conditions(filters))
        order = (CaseRow.created_at, CaseRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    # ---- comments ----

    async def comments(
        self, case_id: uuid.UUID, *, internal: bool, limit: int, cursor: str | None
    ) -> Page[CaseCommentRow]:
        stmt = sa.select(CaseCommentRow).where(
            CaseCommentRow.tenant_id == self.tenant_id, CaseCommentRow.case_id == case_id
        )
        if not internal:
            stmt = stmt.where(CaseCommentRow.public.is_(True))
        order = (CaseCommentRow.created_at, CaseCommentRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)


# ---- used by the case handlers and the scheduler alike (row already checked) ----


async def pauses_of(session: AsyncSession, case_id: uuid.UUID) -> list[Pause]:
    rows = await session.execute(
        sa.select(CasePauseRow.started_at, CasePauseRow.ended_at)
        .where(CasePauseRow.case_id == case_id)
        .order_by(CasePauseRow.started_at)
    )
    return [Pause(start, end) for start, end in rows.all()]


async def open_pause(session: AsyncSession, row: CaseRow, status: str, at: Any) -> None:
    await session.flush()  # the case row first (the pause refers to it)
    session.add(
        CasePauseRow(
            id=uuid.uuid4(), tenant_id=row.tenant_id, case_id=row.id, status=status, started_at=at
        )
    )
    await session.flush()


async def close_pauses(session: AsyncSession, case_id: uuid.UUID, at: Any) -> None:
    await session.execute(
        sa.update(CasePauseRow)
        .where(CasePauseRow.case_id == case_id, CasePauseRow.ended_at.is_(None))
        .values(ended_at=at)
    )


async def lock_group_cursor(
    session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID
) -> GroupCursorRow:
    """The group's round-robin cursor, created on first use and locked until the
    transaction ends: assignments over one group take turns."""
    await session.execute(
        insert(GroupCursorRow)
        .values(tenant_id=tenant_id, group_id=group_id)
        .on_conflict_do_nothing(index_elements=["tenant_id", "group_id"])
    )
    stmt = (
        sa.select(GroupCursorRow)
        .where(GroupCursorRow.tenant_id == tenant_id, GroupCursorRow.group_id == group_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(stmt)).one()


async def lock_group(session: AsyncSession, tenant_id: uuid.UUID, group_id: uuid.UUID) -> None:
    """Least-loaded assignments over one group take turns (transaction lock), so
    each counts the cases the previous one gave."""
    await session.execute(
        sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
        {"k": f"support:case-group:{tenant_id}:{group_id}"},
    )


async def open_cases(
    session: AsyncSession, tenant_id: uuid.UUID, owners: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Live cases not resolved or closed, per owner."""
    stmt = (
        sa.select(CaseRow.owner_id, sa.func.count())
        .where(
            CaseRow.tenant_id == tenant_id,
            CaseRow.owner_id.in_(list(owners)),
            active(CaseRow),
            CaseRow.status.not_in(sorted(DONE)),
        )
        .group_by(CaseRow.owner_id)
    )
    found: dict[uuid.UUID, int] = {}
    for owner, count in (await session.execute(stmt)).all():
        if owner is not None:
            found[owner] = count
    return found


def _conditions(filters: CaseFilters) -> list[sa.ColumnElement[bool]]:
    equal: dict[str, Any] = {
        "status": filters.status,
        "priority": filters.priority,
        "owner_id": filters.owner_id,
        "group_id": filters.group_id,
        "account_id": filters.account_id,
        "sla_status": filters.sla_status,
    }
    return [getattr(CaseRow, name) == value for name, value in equal.items() if value]
