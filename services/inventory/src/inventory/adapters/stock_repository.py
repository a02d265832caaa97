"""Queries of stock, always within one tenant. Warehouses and stock have no
owner: module permissions decide, so there is no record-level filter.

Locking order, the same everywhere so concurrent writers cannot deadlock:
stock levels by (product id, warehouse id), then low-stock states by product id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from inventory.adapters.orm_stock import (
    StockLevelRow,
    StockLowStateRow,
    StockMovementRow,
    WarehouseRow,
)

Pair = tuple[uuid.UUID, uuid.UUID]  # (product id, warehouse id)


@dataclass(frozen=True)
class LevelFilters:
    product_ids: tuple[uuid.UUID, ...] = ()
    warehouse_id: uuid.UUID | None = None


class StockRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    # -- warehouses ---------------------------------------------------------

    async def warehouse(self, warehouse_id: uuid.UUID, *, for_update: bool = False) -> WarehouseRow:
        stmt = sa.select(WarehouseRow).where(
            WarehouseRow.id == warehouse_id,
            WarehouseRow.tenant_id == self.tenant_id,
            active(WarehouseRow),
        )
        row = await self.session.scalar(stmt.with_for_update() if for_update else stmt)
        if row is None:
            raise NotFound("warehouse not found")
        return row

    async def code_taken(self, key: str, *, other_than: uuid.UUID | None = None) -> bool:
        stmt = sa.select(WarehouseRow.id).where(
            WarehouseRow.tenant_id == self.tenant_id, WarehouseRow.code_key == key
        )
        if other_than is not None:
            stmt = stmt.where(WarehouseRow.id != other_than)
        return await self.session.scalar(stmt.limit(1)) is not None

    async def warehouses(
        self, *, active_only: bool | None, limit: int, cursor: str | None
    ) -> Page[WarehouseRow]:
        stmt = sa.select(WarehouseRow).where(
            WarehouseRow.tenant_id == self.tenant_id, active(WarehouseRow)
        )
        if active_only is not None:
            stmt = stmt.where(WarehouseRow.active == active_only)
        order = (WarehouseRow.created_at, WarehouseRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    # -- levels ---------------------------------------------------------------

    async def lock_levels(self, pairs: Iterable[Pair]) -> dict[Pair, StockLevelRow]:
        """The levels of ``pairs``, created at zero when missing, locked FOR UPDATE
        in (product, warehouse) order."""
        wanted = sorted(set(pairs))
        if not wanted:
            return {}
        await self.session.execute(
            insert(StockLevelRow)
            .values([
                {"id": uuid.uuid4(), "tenant_id": self.tenant_id, "product_id": p,
                 "warehouse_id": w, "on_hand": 0, "reserved": 0}
                for p, w in wanted
            ])
            .on_conflict_do_nothing(index_elements=["tenant_id", "product_id", "warehouse_id"])
        )  # fmt: skip
        stmt = (
            sa.select(StockLevelRow)
            .where(
                StockLevelRow.tenant_id == self.tenant_id,
                sa.tuple_(StockLevelRow.product_id, StockLevelRow.warehouse_id).in_(wanted),
            )
            .order_by(StockLevelRow.product_id, StockLevelRow.warehouse_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        rows = (await self.session.scalars(stmt)).all()
        return {(r.product_id, r.warehouse_id): r for r in rows}

    async def lock_active_levels(self, product_ids: Iterable[uuid.UUID]) -> list[StockLevelRow]:
        """Every level of ``product_ids`` in an active warehouse, locked FOR UPDATE
        in (product, warehouse) order: what a reservation may draw on."""
        wanted = sorted(set(product_ids))
        if not wanted:
            return []
        stmt = (
            sa.select(StockLevelRow)
            .join(WarehouseRow, WarehouseRow.id == StockLevelRow.warehouse_id)
            .where(
                StockLevelRow.tenant_id == self.tenant_id,
                StockLevelRow.product_id.in_(wanted),
                WarehouseRow.active.is_(True),
                WarehouseRow.deleted_at.is_(None),
            )
            .order_by(StockLevelRow.product_id, StockLevelRow.warehouse_id)
            .with_for_update(of=StockLevelRow)
            .execution_options(populate_existing=True)
        )
        return list((await self.session.scalars(stmt)).all())

    async def totals(
        self, product_ids: Iterable[uuid.UUID], warehouse_id: uuid.UUID | None = None
    ) -> dict[uuid.UUID, tuple[Decimal, Decimal]]:
        """(on hand, reserved) per product, summed over warehouses or in one."""
        wanted = sorted(set(product_ids))
        if not wanted:
            return {}
        stmt = sa.select(
            StockLevelRow.product_id,
            sa.func.sum(StockLevelRow.on_hand),
            sa.func.sum(StockLevelRow.reserved),
        ).where(StockLevelRow.tenant_id == self.tenant_id, StockLevelRow.product_id.in_(wanted))
        if warehouse_id is not None:
            stmt = stmt.where(StockLevelRow.warehouse_id == warehouse_id)
        rows = await self.session.execute(stmt.group_by(StockLevelRow.product_id))
        return {pid: (Decimal(on_hand), Decimal(reserved)) for pid, on_hand, reserved in rows}

    async def levels(
        self, filters: LevelFilters, *, limit: int, cursor: str | None
    ) -> Page[StockLevelRow]:
        stmt = sa.select(StockLevelRow).where(StockLevelRow.tenant_id == self.tenant_id)
        if filters.product_ids:
            stmt = stmt.where(StockLevelRow.product_id.in_(filters.product_ids))
        if filters.warehouse_id is not None:
            stmt = stmt.where(StockLevelRow.warehouse_id == filters.warehouse_id)
        order = (StockLevelRow.product_id, StockLevelRow.warehouse_id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    # -- ledger and low-stock states -------------------------------------------

    async def movements(
        self,
        *,
        product_id: uuid.UUID | None,
        warehouse_id: uuid.UUID | None,
        limit: int,
        cursor: str | None,
    ) -> Page[StockMovementRow]:
        """The ledger, newest first."""
        stmt = sa.select(StockMovementRow).where(StockMovementRow.tenant_id == self.tenant_id)
        if product_id is not None:
            stmt = stmt.where(StockMovementRow.product_id == product_id)
        if warehouse_id is not None:
            stmt = stmt.where(StockMovementRow.warehouse_id == warehouse_id)
        return await paginate(
            self.session, stmt, (StockMovementRow.seq,), limit=limit, cursor=cursor,
            descending=True,
        )  # fmt: skip

    async def lock_low_state(self, product_id: uuid.UUID) -> StockLowStateRow:
        await self.session.execute(
            insert(StockLowStateRow)
            .values(tenant_id=self.tenant_id, product_id=product_id, low=False)
            .on_conflict_do_nothing(index_elements=["tenant_id", "product_id"])
        )
        stmt = (
            sa.select(StockLowStateRow)
            .where(
                StockLowStateRow.tenant_id == self.tenant_id,
                StockLowStateRow.product_id == product_id,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(stmt)).one()
