"""Queries of quotes and sales orders, always within the caller's tenant and
visibility (another tenant's record, a deleted one and one the caller may not see
are all simply *not found*), and the gapless document numbers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, visible_filter
from crm_common.errors import InvalidArgument, NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from sales.adapters.orm import AccountRow, ContactRow
from sales.adapters.orm_deals import DealRow
from sales.adapters.orm_quotes import (
    DocumentCounterRow,
    OrderStatusHistoryRow,
    QuoteLineRow,
    QuoteRow,
    SalesOrderLineRow,
    SalesOrderRow,
)
from sales.adapters.repository import escape_like
from sales.domain.orders import ORDERS
from sales.domain.quotes import QUOTES


@dataclass(frozen=True)
class QuoteFilters:
    status: str = ""
    owner_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    deal_id: uuid.UUID | None = None
    q: str = ""


@dataclass(frozen=True)
class OrderFilters:
    status: str = ""
    owner_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    quote_id: uuid.UUID | None = None


async def next_number(session: AsyncSession, tenant_id: uuid.UUID, kind: str, year: int) -> str:
    """``Q-2026-00001``: the counter row is created or incremented by one upsert,
    which locks it (like SELECT ... FOR UPDATE) until the caller's transaction ends.
    Concurrent creators queue on that row; a rollback returns the number, so the
    sequence has no gaps."""
    stmt = (
        insert(DocumentCounterRow)
        .values(tenant_id=tenant_id, kind=kind, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=["tenant_id", "kind", "year"],
            set_={"last_value": DocumentCounterRow.last_value + 1},
        )
        .returning(DocumentCounterRow.last_value)
    )
    value = (await session.execute(stmt)).scalar_one()
    return f"{kind}-{year}-{value:05d}"


class _Scoped:
    def __init__(self, session: AsyncSession, ctx: AccessContext) -> None:
        self.session = session
        self.ctx = ctx
        self.tenant_id = uuid.UUID(ctx.tenant_id)

    async def _one(self, stmt: Any, for_update: bool, what: str) -> Any:
        if for_update:
            stmt = stmt.with_for_update()
        found = await self.session.scalar(stmt)
        if found is None:
            raise NotFound(f"{what} not found")
        return found

    async def referenced(self, model: Any, module: str, record_id: uuid.UUID, field: str) -> Any:
        """An account, contact or deal a quote points at: 422 ``field`` if the
        tenant has no such live record, 404 if the caller may not see it."""
        live = [model.id == record_id, model.tenant_id == self.tenant_id, active(model)]
        row = await self.session.scalar(sa.select(model).where(*live))
        if row is None:
            raise InvalidArgument.for_field(field, "no such record")
        visible = visible_filter(self.ctx, module, model.owner_id)
        if await self.session.scalar(sa.select(model.id).where(*live, visible)) is None:
            raise NotFound(f"{field}: not found")
        return row

    async def account(self, account_id: uuid.UUID) -> AccountRow:
        row: AccountRow = await self.referenced(AccountRow, "accounts", account_id, "account_id")
        return row

    async def contact(self, contact_id: uuid.UUID) -> ContactRow:
        row: ContactRow = await self.referenced(ContactRow, "contacts", contact_id, "contact_id")
        return row

    async def deal(self, deal_id: uuid.UUID) -> DealRow:
        row: DealRow = await self.referenced(DealRow, "deals", deal_id, "deal_id")
        return row


class QuoteRepository(_Scoped):
    def _visible(self) -> list[sa.ColumnElement[bool]]:
        return [
            QuoteRow.tenant_id == self.tenant_id,
            active(QuoteRow),
            visible_filter(self.ctx, QUOTES, QuoteRow.owner_id),
        ]

    async def get(self, quote_id: uuid.UUID, *, for_update: bool = False) -> QuoteRow:
        stmt = sa.select(QuoteRow).where(QuoteRow.id == quote_id, *self._visible())
        row: QuoteRow = await self._one(stmt, for_update, "quote")
        return row

    async def lines(self, quote_id: uuid.UUID) -> list[QuoteLineRow]:
        stmt = sa.select(QuoteLineRow).where(
            QuoteLineRow.quote_id == quote_id, QuoteLineRow.tenant_id == self.tenant_id
        )
        return list(await self.session.scalars(stmt.order_by(QuoteLineRow.position)))

    async def lines_of(self, quote_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[QuoteLineRow]]:
        found: dict[uuid.UUID, list[QuoteLineRow]] = {quote_id: [] for quote_id in quote_ids}
        stmt = sa.select(QuoteLineRow).where(
            QuoteLineRow.quote_id.in_(quote_ids), QuoteLineRow.tenant_id == self.tenant_id
        )
        for line in await self.session.scalars(stmt.order_by(QuoteLineRow.position)):
            found[line.quote_id].append(line)
        return found

    async def delete_lines(self, quote_id: uuid.UUID) -> None:
        await self.session.execute(
            sa.delete(QuoteLineRow).where(
                QuoteLineRow.quote_id == quote_id, QuoteLineRow.tenant_id == self.tenant_id
            )
        )

    async def page(self, filters: QuoteFilters, *, limit: int, cursor: str | None) -> Page[Any]:
        stmt = sa.select(QuoteRow).where(*self._visible())
        for column, value in (
            (QuoteRow.owner_id, filters.owner_id),
            (QuoteRow.account_id, filters.account_id),
            (QuoteRow.deal_id, filters.deal_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if filters.status:
            stmt = stmt.where(QuoteRow.status == filters.status)
        if filters.q:
            pattern = f"%{escape_like(filters.q)}%"
            stmt = stmt.where(
                sa.or_(
                    QuoteRow.name.ilike(pattern, escape="\\"),
                    QuoteRow.number.ilike(pattern, escape="\\"),
                )
            )
        order = (QuoteRow.created_at, QuoteRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)


class OrderRepository(_Scoped):
    def _visible(self) -> list[sa.ColumnElement[bool]]:
        return [
            SalesOrderRow.tenant_id == self.tenant_id,
            active(SalesOrderRow),
            visible_filter(self.ctx, ORDERS, SalesOrderRow.owner_id),
        ]

    async def get(self, order_id: uuid.UUID, *, for_update: bool = False) -> SalesOrderRow:
        stmt = sa.select(SalesOrderRow).where(SalesOrderRow.id == order_id, *self._visible())
        row: SalesOrderRow = await self._one(stmt, for_update, "sales order")
        return row

    async def parts(
        self, order_ids: list[uuid.UUID]
    ) -> tuple[dict[uuid.UUID, list[SalesOrderLineRow]], dict[uuid.UUID, list[Any]]]:
        """Lines and status history of the given orders, in order."""
        lines: dict[uuid.UUID, list[SalesOrderLineRow]] = {i: [] for i in order_ids}
        history: dict[uuid.UUID, list[Any]] = {i: [] for i in order_ids}
        line_stmt = sa.select(SalesOrderLineRow).where(
            SalesOrderLineRow.order_id.in_(order_ids),
            SalesOrderLineRow.tenant_id == self.tenant_id,
        )
        for line in await self.session.scalars(line_stmt.order_by(SalesOrderLineRow.position)):
            lines[line.order_id].append(line)
        history_stmt = sa.select(OrderStatusHistoryRow).where(
            OrderStatusHistoryRow.order_id.in_(order_ids),
            OrderStatusHistoryRow.tenant_id == self.tenant_id,
        )
        order_by = (OrderStatusHistoryRow.changed_at, OrderStatusHistoryRow.id)
        for change in await self.session.scalars(history_stmt.order_by(*order_by)):
            history[change.order_id].append(change)
        return lines, history

    async def page(self, filters: OrderFilters, *, limit: int, cursor: str | None) -> Page[Any]:
        stmt = sa.select(SalesOrderRow).where(*self._visible())
        for column, value in (
            (SalesOrderRow.owner_id, filters.owner_id),
            (SalesOrderRow.account_id, filters.account_id),
            (SalesOrderRow.quote_id, filters.quote_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if filters.status:
            stmt = stmt.where(SalesOrderRow.status == filters.status)
        order = (SalesOrderRow.created_at, SalesOrderRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)
