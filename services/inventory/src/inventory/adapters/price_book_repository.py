"""Queries of price books and tax rates, always within one tenant (another
tenant's record is *not found*)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from inventory.adapters.orm import PriceBookEntryRow, PriceBookRow, TaxRateRow


@dataclass(frozen=True)
class PriceBookFilters:
    currency: str = ""
    active: bool | None = None


@dataclass(frozen=True)
class TaxRateFilters:
    tax_class: str = ""
    region: str = ""


class PriceBookRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _live(self) -> list[sa.ColumnElement[bool]]:
        return [PriceBookRow.tenant_id == self.tenant_id, active(PriceBookRow)]

    async def get(self, book_id: uuid.UUID, *, for_update: bool = False) -> PriceBookRow:
        stmt = sa.select(PriceBookRow).where(PriceBookRow.id == book_id, *self._live())
        if for_update:
            stmt = stmt.with_for_update()
        book = await self.session.scalar(stmt)
        if book is None:
            raise NotFound("price book not found")
        return book

    async def standard_books(self, currency: str, day: date) -> list[PriceBookRow]:
        """Active standard books of ``currency`` valid on ``day``, latest start first."""
        stmt = (
            sa.select(PriceBookRow)
            .where(
                *self._live(),
                PriceBookRow.currency == currency,
                PriceBookRow.is_standard.is_(True),
                PriceBookRow.active.is_(True),
                sa.or_(PriceBookRow.valid_from.is_(None), PriceBookRow.valid_from <= day),
                sa.or_(PriceBookRow.valid_to.is_(None), PriceBookRow.valid_to >= day),
            )
            .order_by(
                PriceBookRow.valid_from.desc().nulls_last(),
                PriceBookRow.created_at.desc(),
                PriceBookRow.id,
            )
        )
        return list((await self.session.scalars(stmt)).all())

    async def page(
        self, filters: PriceBookFilters, *, limit: int, cursor: str | None
    ) -> Page[PriceBookRow]:
        stmt = sa.select(PriceBookRow).where(*self._live())
        if filters.currency:
            stmt = stmt.where(PriceBookRow.currency == filters.currency)
        if filters.active is not None:
            stmt = stmt.where(PriceBookRow.active == filters.active)
        order = (PriceBookRow.created_at, PriceBookRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)


def entries_of(book: PriceBookRow, product_id: uuid.UUID) -> list[PriceBookEntryRow]:
    return [entry for entry in book.entries if entry.product_id == product_id]


class TaxRateRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    def _live(self) -> list[sa.ColumnElement[bool]]:
        return [TaxRateRow.tenant_id == self.tenant_id, active(TaxRateRow)]

    async def get(self, rate_id: uuid.UUID) -> TaxRateRow:
        stmt = sa.select(TaxRateRow).where(TaxRateRow.id == rate_id, *self._live())
        rate = await self.session.scalar(stmt.with_for_update())
        if rate is None:
            raise NotFound("tax rate not found")
        return rate

    async def for_line(self, tax_class: str, regions: Sequence[str]) -> list[TaxRateRow]:
        if not regions:
            return []
        stmt = sa.select(TaxRateRow).where(
            *self._live(), TaxRateRow.tax_class == tax_class, TaxRateRow.region.in_(regions)
        )
        return list((await self.session.scalars(stmt.order_by(TaxRateRow.position))).all())

    async def page(
        self, filters: TaxRateFilters, *, limit: int, cursor: str | None
    ) -> Page[TaxRateRow]:
        stmt = sa.select(TaxRateRow).where(*self._live())
        if filters.tax_class:
            stmt = stmt.where(TaxRateRow.tax_class == filters.tax_class)
        if filters.region:
            stmt = stmt.where(TaxRateRow.region == filters.region)
        order = (TaxRateRow.created_at, TaxRateRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)
