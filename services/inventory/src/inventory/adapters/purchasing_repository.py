"""Queries of vendors, purchase orders and bills, always within one tenant.
Purchasing records belong to the tenant, not to a user: module permissions
decide, so there is no record-level filter. Another tenant's record is simply
*not found*; so is a deleted one."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from inventory.adapters.orm import ProductRow
from inventory.adapters.orm_purchasing import (
    BillLineRow,
    BillRow,
    PurchaseOrderCounterRow,
    PurchaseOrderRow,
    VendorRow,
)
from inventory.adapters.orm_stock import WarehouseRow
from inventory.adapters.product_repository import escape_like

Record = TypeVar("Record", VendorRow, PurchaseOrderRow, BillRow)


@dataclass(frozen=True)
class VendorFilters:
    q: str = ""
    active: bool | None = None


@dataclass(frozen=True)
class OrderFilters:
    status: str = ""
    vendor_id: uuid.UUID | None = None


@dataclass(frozen=True)
class BillFilters:
    status: str = ""
    vendor_id: uuid.UUID | None = None
    purchase_order_id: uuid.UUID | None = None


async def next_po_number(session: AsyncSession, tenant_id: uuid.UUID, year: int) -> str:
    """``PO-2026-00001``: one upsert creates or increments the counter row and
    keeps it locked until the caller's transaction ends; concurrent creators
    queue on it and a rollback returns the number, so there are no gaps."""
    stmt = (
        insert(PurchaseOrderCounterRow)
        .values(tenant_id=tenant_id, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=["tenant_id", "year"],
            set_={"last_value": PurchaseOrderCounterRow.last_value + 1},
        )
        .returning(PurchaseOrderCounterRow.last_value)
    )
    value = (await session.execute(stmt)).scalar_one()
    return f"PO-{year}-{value:05d}"


class PurchasingRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def _one(self, model: type[Record], record_id: uuid.UUID, *, for_update: bool,
                   what: str) -> Record:  # fmt: skip
        stmt = sa.select(model).where(
            model.id == record_id, model.tenant_id == self.tenant_id, active(model)
        )
        found = await self.session.scalar(stmt.with_for_update() if for_update else stmt)
        if found is None:
            raise NotFound(f"{what} not found")
        return found

    async def vendor(self, vendor_id: uuid.UUID, *, for_update: bool = False) -> VendorRow:
        return await self._one(VendorRow, vendor_id, for_update=for_update, what="vendor")

    async def order(self, order_id: uuid.UUID, *, for_update: bool = False) -> PurchaseOrderRow:
        """With its lines and receipt notes; ``for_update`` locks the order, which
        every change of it, its receipts and its bills takes first."""
        model = PurchaseOrderRow
        return await self._one(model, order_id, for_update=for_update, what="purchase order")

    async def bill(self, bill_id: uuid.UUID) -> BillRow:
        return await self._one(BillRow, bill_id, for_update=False, what="bill")

    async def stock_products(self, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        """Those of ``ids`` that are live, stock-tracked products of the tenant,
        kept from being deleted until the transaction ends."""
        wanted = sorted(set(ids))
        if not wanted:
            return set()
        stmt = (
            sa.select(ProductRow.id)
            .where(
                ProductRow.id.in_(wanted),
                ProductRow.tenant_id == self.tenant_id,
                ProductRow.stock_tracked.is_(True),
                active(ProductRow),
            )
            .with_for_update(read=True)
        )
        return set((await self.session.scalars(stmt)).all())

    async def warehouse_usable(self, warehouse_id: uuid.UUID) -> bool:
        stmt = sa.select(WarehouseRow.id).where(
            WarehouseRow.id == warehouse_id,
            WarehouseRow.tenant_id == self.tenant_id,
            WarehouseRow.active.is_(True),
            active(WarehouseRow),
        )
        return await self.session.scalar(stmt.with_for_update(read=True)) is not None

    async def billed_so_far(self, order_id: uuid.UUID) -> dict[uuid.UUID, Decimal]:
        """Quantities per product on the order's bills recorded before."""
        stmt = (
            sa.select(BillLineRow.product_id, sa.func.sum(BillLineRow.quantity))
            .join(BillRow, BillRow.id == BillLineRow.bill_id)
            .where(
                BillRow.tenant_id == self.tenant_id,
                BillRow.purchase_order_id == order_id,
                active(BillRow),
            )
            .group_by(BillLineRow.product_id)
        )
        return {product: total for product, total in (await self.session.execute(stmt)).all()}

    async def reference_taken(self, vendor_id: uuid.UUID, key: str) -> bool:
        stmt = sa.select(BillRow.id).where(
            BillRow.tenant_id == self.tenant_id,
            BillRow.vendor_id == vendor_id,
            BillRow.vendor_reference_key == key,
        )
        return await self.session.scalar(stmt.limit(1)) is not None

    async def vendors(
        self, filters: VendorFilters, *, limit: int, cursor: str | None
    ) -> Page[VendorRow]:
        stmt = sa.select(VendorRow).where(VendorRow.tenant_id == self.tenant_id, active(VendorRow))
        if filters.active is not None:
            stmt = stmt.where(VendorRow.active == filters.active)
        if filters.q:
            pattern = f"%{escape_like(filters.q)}%"
            stmt = stmt.where(
                sa.or_(
                    VendorRow.name.ilike(pattern, escape="\\"),
                    VendorRow.email.ilike(pattern, escape="\\"),
                )
            )
        order = (VendorRow.created_at, VendorRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def orders(
        self, filters: OrderFilters, *, limit: int, cursor: str | None
    ) -> Page[PurchaseOrderRow]:
        model = PurchaseOrderRow
        stmt = sa.select(model).where(model.tenant_id == self.tenant_id, active(model))
        if filters.status:
            stmt = stmt.where(model.status == filters.status)
        if filters.vendor_id:
            stmt = stmt.where(model.vendor_id == filters.vendor_id)
        order = (model.created_at, model.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def bills(self, filters: BillFilters, *, limit: int, cursor: str | None) -> Page[BillRow]:
        stmt = sa.select(BillRow).where(BillRow.tenant_id == self.tenant_id, active(BillRow))
        if filters.status:
            stmt = stmt.where(BillRow.status == filters.status)
        if filters.vendor_id:
            stmt = stmt.where(BillRow.vendor_id == filters.vendor_id)
        if filters.purchase_order_id:
            stmt = stmt.where(BillRow.purchase_order_id == filters.purchase_order_id)
        order = (BillRow.created_at, BillRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)
