"""Queries of service appointments and timelogs, within the caller's tenant and
visibility, and the technician's lock against double booking."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, visible_filter
from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from support.adapters.orm_field import ServiceAppointmentRow, TimelogRow, WorkOrderRow
from support.domain import appointments as rules
from support.domain import timelogs as timelog_rules
from support.domain import work_orders as order_rules

Appt = ServiceAppointmentRow


@dataclass(frozen=True)
class AppointmentFilters:
    work_order_id: uuid.UUID | None = None
    technician_id: uuid.UUID | None = None
    status: str = ""
    starts_from: datetime | None = None
    starts_before: datetime | None = None


class ScheduleRepository:
    def __init__(self, session: AsyncSession, ctx: AccessContext) -> None:
        self.session = session
        self.ctx = ctx
        self.tenant_id = uuid.UUID(ctx.tenant_id)

    # ---- appointments ----

    def _appointments(self) -> list[sa.ColumnElement[bool]]:
        """Visible as the technician's record or as part of a visible work order."""
        orders = sa.select(WorkOrderRow.id).where(
            WorkOrderRow.tenant_id == self.tenant_id,
            active(WorkOrderRow),
            visible_filter(self.ctx, order_rules.MODULE, WorkOrderRow.owner_id),
        )
        return [
            Appt.tenant_id == self.tenant_id,
            active(Appt),
            sa.or_(
                visible_filter(self.ctx, order_rules.MODULE, Appt.technician_id),
                Appt.work_order_id.in_(orders),
            ),
        ]

    async def appointment(self, appointment_id: uuid.UUID, *, for_update: bool = False) -> Any:
        stmt = sa.select(Appt).where(Appt.id == appointment_id, *self._appointments())
        if for_update:
            stmt = stmt.with_for_update(of=Appt)
        row = await self.session.scalar(stmt)
        if row is None:
            raise NotFound("service appointment not found")
        return row

    async def appointments(
        self, filters: AppointmentFilters, *, limit: int, cursor: str | None
    ) -> Page[ServiceAppointmentRow]:
        stmt = sa.select(Appt).where(*self._appointments())
        if filters.work_order_id:
            stmt = stmt.where(Appt.work_order_id == filters.work_order_id)
        if filters.technician_id:
            stmt = stmt.where(Appt.technician_id == filters.technician_id)
        if filters.status:
            stmt = stmt.where(Appt.status == filters.status)
        if filters.starts_from:
            stmt = stmt.where(Appt.scheduled_end > filters.starts_from)
        if filters.starts_before:
            stmt = stmt.where(Appt.scheduled_start < filters.starts_before)
        order = (Appt.scheduled_start, Appt.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def lock_technician(self, technician_id: uuid.UUID) -> None:
        """Bookings of one technician take turns until the transaction ends, so
        two concurrent bookings cannot both find the slot free."""
        key = f"support.technician:{self.tenant_id}:{technician_id}"
        await self.session.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0)))
        )

    async def technician_busy(
        self, technician_id: uuid.UUID, start: datetime, end: datetime, skip: uuid.UUID | None
    ) -> bool:
        """Whether another active appointment of the technician overlaps [start, end)."""
        stmt = sa.select(Appt.id).where(
            Appt.tenant_id == self.tenant_id,
            Appt.technician_id == technician_id,
            active(Appt),
            Appt.status.in_(sorted(rules.ACTIVE)),
            Appt.scheduled_start < end,
            Appt.scheduled_end > start,
        )
        if skip is not None:
            stmt = stmt.where(Appt.id != skip)
        return await self.session.scalar(stmt.limit(1)) is not None

    # ---- timelogs ----

    def _timelogs(self, case_id: uuid.UUID | None, order_id: uuid.UUID | None) -> list[Any]:
        on = TimelogRow.case_id == case_id if case_id else TimelogRow.work_order_id == order_id
        return [
            TimelogRow.tenant_id == self.tenant_id,
            on,
            visible_filter(self.ctx, timelog_rules.MODULE, TimelogRow.user_id),
        ]

    async def timelogs(
        self, case_id: uuid.UUID | None, order_id: uuid.UUID | None, *, limit: int,
        cursor: str | None,
    ) -> Page[TimelogRow]:  # fmt: skip
        stmt = sa.select(TimelogRow).where(*self._timelogs(case_id, order_id))
        order = (TimelogRow.started_at, TimelogRow.id)
        return await paginate(
            self.session, stmt, order, limit=limit, cursor=cursor, descending=True
        )

    async def timelog_totals(
        self, case_id: uuid.UUID | None, order_id: uuid.UUID | None
    ) -> timelog_rules.Totals:
        billable = sa.case((TimelogRow.billable, TimelogRow.minutes), else_=0)
        stmt = sa.select(
            sa.func.coalesce(sa.func.sum(TimelogRow.minutes), 0),
            sa.func.coalesce(sa.func.sum(billable), 0),
        ).where(*self._timelogs(case_id, order_id))
        total, billable_total = (await self.session.execute(stmt)).one()
        return timelog_rules.Totals(int(total), int(billable_total))

    async def timelog(self, timelog_id: uuid.UUID) -> TimelogRow:
        row = await self.session.scalar(
            sa.select(TimelogRow)
            .where(
                TimelogRow.id == timelog_id,
                TimelogRow.tenant_id == self.tenant_id,
                visible_filter(self.ctx, timelog_rules.MODULE, TimelogRow.user_id),
            )
            .with_for_update()
        )
        if row is None:
            raise NotFound("timelog not found")
        return row
