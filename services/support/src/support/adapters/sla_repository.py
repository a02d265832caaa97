"""Business-hours calendars and SLA policies of one tenant (every query is scoped)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from support.adapters.orm_sla import BusinessHoursRow, SlaPolicyRow


class SlaRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # -- business hours -------------------------------------------------------
    async def find_calendar(self, calendar_id: uuid.UUID) -> BusinessHoursRow | None:
        stmt = sa.select(BusinessHoursRow).where(
            BusinessHoursRow.id == calendar_id,
            BusinessHoursRow.tenant_id == self.tenant_id,
            active(BusinessHoursRow),
        )
        return (await self.session.scalars(stmt)).first()

    async def calendar(
        self, calendar_id: uuid.UUID, *, for_update: bool = False, for_share: bool = False
    ) -> BusinessHoursRow:
        """``for_share`` keeps it from being deleted until the transaction ends."""
        stmt = sa.select(BusinessHoursRow).where(
            BusinessHoursRow.id == calendar_id,
            BusinessHoursRow.tenant_id == self.tenant_id,
            active(BusinessHoursRow),
        )
        if for_update:
            stmt = stmt.with_for_update()
        elif for_share:
            stmt = stmt.with_for_update(read=True)
        row = (await self.session.scalars(stmt)).first()
        if row is None:
            raise NotFound(f"business hours {calendar_id} not found")
        return row

    async def calendars(self, *, limit: int, cursor: str | None) -> Page[BusinessHoursRow]:
        stmt = sa.select(BusinessHoursRow).where(
            BusinessHoursRow.tenant_id == self.tenant_id, active(BusinessHoursRow)
        )
        order = (BusinessHoursRow.created_at, BusinessHoursRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def calendar_name_taken(self, name: str, *, exclude: uuid.UUID | None = None) -> bool:
        stmt = sa.select(BusinessHoursRow.id).where(
            BusinessHoursRow.tenant_id == self.tenant_id,
            active(BusinessHoursRow),
            sa.func.lower(BusinessHoursRow.name) == name.lower(),
        )
        if exclude is not None:
            stmt = stmt.where(BusinessHoursRow.id != exclude)
        return (await self.session.scalars(stmt.limit(1))).first() is not None

    async def policies_using(self, calendar_id: uuid.UUID) -> int:
        stmt = sa.select(sa.func.count()).where(
            SlaPolicyRow.tenant_id == self.tenant_id,
            active(SlaPolicyRow),
            SlaPolicyRow.business_hours_id == calendar_id,
        )
        return int((await self.session.scalar(stmt)) or 0)

    # -- policies -------------------------------------------------------------
    async def policy(self, policy_id: uuid.UUID, *, for_update: bool = False) -> SlaPolicyRow:
        stmt = sa.select(SlaPolicyRow).where(
            SlaPolicyRow.id == policy_id,
            SlaPolicyRow.tenant_id == self.tenant_id,
            active(SlaPolicyRow),
        )
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self.session.scalars(stmt)).first()
        if row is None:
            raise NotFound(f"SLA policy {policy_id} not found")
        return row

    async def ordered_policies(self, *, for_update: bool = False) -> list[SlaPolicyRow]:
        """Every live policy of the tenant, by position then id (the match order)."""
        stmt = (
            sa.select(SlaPolicyRow)
            .where(SlaPolicyRow.tenant_id == self.tenant_id, active(SlaPolicyRow))
            .order_by(SlaPolicyRow.position, SlaPolicyRow.id)
        )
        if for_update:
            stmt = stmt.with_for_update()
        return list((await self.session.scalars(stmt)).all())

    async def policies_page(
        self, *, active_only: bool | None, limit: int, cursor: str | None
    ) -> Page[SlaPolicyRow]:
        stmt = sa.select(SlaPolicyRow).where(
            SlaPolicyRow.tenant_id == self.tenant_id, active(SlaPolicyRow)
        )
        if active_only is not None:
            stmt = stmt.where(SlaPolicyRow.active.is_(active_only))
        order = (SlaPolicyRow.position, SlaPolicyRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def lock_tenant_policies(self) -> None:
        """Serialise position changes of one tenant's policies (a transaction lock)."""
        key = int.from_bytes(self.tenant_id.bytes[:8], "big", signed=True) ^ 0x5A5A
        await self.session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))
