"""Stock levels, the ledger, and adjustments (module ``stock``, no owner).

A bundle has no level of its own: asked for one, it gets a derived level, the
whole bundles its components make (``rules.bundle_available``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from crm_common.access import AccessContext, require
from crm_common.db import UnitOfWork
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from inventory.adapters.orm import ProductRow
from inventory.adapters.orm_stock import StockLevelRow, StockMovementRow
from inventory.adapters.product_repository import ProductRepository
from inventory.adapters.stock_repository import LevelFilters, StockRepository
from inventory.domain import stock as rules
from inventory.domain.stock_commands import AdjustStock
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.shared import actor, commit, tenant
from inventory.service_layer.stock_ledger import (
    ZERO,
    Cause,
    move,
    settle_low_stock,
    tracked_product,
)
from inventory.service_layer.stock_needs import components_per_unit
from inventory.service_layer.warehouses import STOCK


@dataclass(frozen=True)
class LevelView:
    product_id: uuid.UUID
    warehouse_id: uuid.UUID | None  # None: a bundle's level over warehouses
    on_hand: Decimal
    reserved: Decimal
    derived: bool = False
    updated_at: datetime | None = None

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def level_view(row: StockLevelRow) -> LevelView:
    return LevelView(row.product_id, row.warehouse_id, row.on_hand, row.reserved,
                     updated_at=row.updated_at)  # fmt: skip


async def list_levels(
    ctx: AccessContext,
    deps: InventoryDeps,
    filters: LevelFilters,
    *,
    limit: int,
    cursor: str | None,
) -> Page[LevelView]:
    require(ctx, STOCK, "view")
    async with deps.uow() as uow:
        repo = StockRepository(uow.session, tenant(ctx))
        if filters.warehouse_id is not None:
            await repo.warehouse(filters.warehouse_id)
        for product_id in filters.product_ids:
            product = await ProductRepository(uow.session, repo.tenant_id).get(product_id)
            if product.type == "bundle":
                derived = await _bundle_level(uow, repo, product, filters.warehouse_id)
                return Page([derived], None)
        page = await repo.levels(filters, limit=limit, cursor=cursor)
    return Page([level_view(row) for row in page.items], page.next_cursor)


async def _bundle_level(
    uow: UnitOfWork, repo: StockRepository, bundle: ProductRow, warehouse_id: uuid.UUID | None
) -> LevelView:
    per_unit = await components_per_unit(uow, repo.tenant_id, bundle)
    totals = await repo.totals(per_unit, warehouse_id)
    on_hand = {pid: totals.get(pid, (ZERO, ZERO))[0] for pid in per_unit}
    available = {pid: on_hand[pid] - totals.get(pid, (ZERO, ZERO))[1] for pid in per_unit}
    whole_on_hand = rules.bundle_available(per_unit, on_hand)
    whole_available = rules.bundle_available(per_unit, available)
    return LevelView(bundle.id, warehouse_id, whole_on_hand, whole_on_hand - whole_available,
                     derived=True)  # fmt: skip


async def list_movements(
    ctx: AccessContext,
    deps: InventoryDeps,
    *,
    product_id: uuid.UUID | None,
    warehouse_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> Page[StockMovementRow]:
    require(ctx, STOCK, "view")
    async with deps.uow() as uow:
        repo = StockRepository(uow.session, tenant(ctx))
        return await repo.movements(
            product_id=product_id, warehouse_id=warehouse_id, limit=limit, cursor=cursor
        )


async def adjust_stock(cmd: AdjustStock, ctx: AccessContext, deps: InventoryDeps) -> LevelView:
    """Counted more or fewer than the books say: an adjustment movement. Never
    below what is reserved (409), so a count cannot take back promised units."""
    require(ctx, STOCK, "edit")
    rules.check_quantity("quantity_delta", cmd.quantity_delta, allow_negative=True)
    reason = cmd.reason.strip()
    if not reason or len(reason) > 500:
        raise InvalidArgument.for_field("reason", "say why, in 1-500 characters")
    async with deps.uow() as uow:
        repo = StockRepository(uow.session, tenant(ctx))
        await tracked_product(uow, repo.tenant_id, cmd.product_id)
        await repo.warehouse(cmd.warehouse_id)
        pair = (cmd.product_id, cmd.warehouse_id)
        level = (await repo.lock_levels([pair]))[pair]
        cause = Cause(rules.ADJUSTMENT, None, actor(ctx), reason)
        move(uow, level, kind=rules.ADJUSTMENT, quantity_delta=cmd.quantity_delta, cause=cause)
        await settle_low_stock(uow, repo, [cmd.product_id])
        await commit(uow)
    return level_view(level)
