"""Queries of subscriptions and recurring invoice templates within one tenant
(no owner: module permissions decide; another tenant's record is *not found*),
and the generator's claim over every tenant."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from inventory.adapters.orm import ProductRow
from inventory.adapters.orm_subscriptions import RecurringInvoiceRow, SubscriptionRow

Row = TypeVar("Row", SubscriptionRow, RecurringInvoiceRow)
ScheduleRow = SubscriptionRow | RecurringInvoiceRow
NAMES: dict[type, str] = {SubscriptionRow: "subscription", RecurringInvoiceRow: "recurring invoice"}


@dataclass(frozen=True)
class ScheduleFilters:
    account_id: uuid.UUID | None = None
    status: str = ""


class ScheduleRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def one(
        self, row_type: type[Row], record_id: uuid.UUID, *, for_update: bool = False
    ) -> Row:
        stmt = sa.select(row_type).where(
            row_type.tenant_id == self.tenant_id, row_type.id == record_id, active(row_type)
        )
        # Not SKIP LOCKED: a change waits for the generator's run on this record.
        found = await self.session.scalar(stmt.with_for_update() if for_update else stmt)
        if found is None:
            raise NotFound(f"{NAMES[row_type]} not found")
        return found

    async def page(
        self, row_type: type[Row], filters: ScheduleFilters, *, limit: int, cursor: str | None
    ) -> Page[Row]:
        stmt = sa.select(row_type).where(row_type.tenant_id == self.tenant_id, active(row_type))
        if filters.account_id is not None:
            stmt = stmt.where(row_type.account_id == filters.account_id)
        if filters.status:
            stmt = stmt.where(row_type.status == filters.status)
        order = (row_type.created_at, row_type.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def product_exists(self, product_id: uuid.UUID) -> bool:
        stmt = sa.select(ProductRow.id).where(
            ProductRow.tenant_id == self.tenant_id, ProductRow.id == product_id, active(ProductRow)
        )
        return await self.session.scalar(stmt) is not None


async def claim_due(
    session: AsyncSession, row_type: type[ScheduleRow], today: date,
    skip: Collection[uuid.UUID],
) -> ScheduleRow | None:  # fmt: skip
    """One active record of any tenant with a period to bill, locked; records
    another transaction holds are skipped (SKIP LOCKED), so replicas share the
    work and never bill the same record at once."""
    stmt = (
        sa.select(row_type)
        .where(row_type.status == "active", row_type.next_period_start <= today, active(row_type))
        .order_by(row_type.next_period_start, row_type.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if skip:
        stmt = stmt.where(row_type.id.not_in(list(skip)))
    found: ScheduleRow | None = await session.scalar(stmt)
    return found
