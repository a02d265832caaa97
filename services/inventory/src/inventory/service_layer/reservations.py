"""Reserving stock for confirmed sales orders, and releasing it when they are
cancelled. Runs inside the event consumer's unit of work (no caller: the tenant
comes from the envelope) and never commits: the consumer commits the inbox row,
the movements and the answer event together.

All or nothing: every line's stock-tracked needs (a bundle's components) are
summed per product, the product's levels in active warehouses are locked FOR
UPDATE in (product, warehouse) order, and only if every product has enough is
anything reserved. Concurrent orders queue on the level rows, so stock is never
promised twice. ``order_reservations`` holds one row per order (unique), so a
redelivered confirmation reserves once.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from crm_common.db import UnitOfWork, utcnow
from inventory.adapters.orm_stock import OrderReservationRow, ReservationLineRow, StockLevelRow
from inventory.adapters.stock_repository import StockRepository
from inventory.domain import stock as rules
from inventory.domain import stock_allocation as allocation
from inventory.domain.stock_commands import ConfirmedOrder
from inventory.service_layer import stock_payloads as payloads
from inventory.service_layer.stock_ledger import Cause, move, settle_low_stock
from inventory.service_layer.stock_needs import Needs, stock_needs

SALES_ORDER = "sales_order"
RESERVED, INSUFFICIENT, RELEASED = "reserved", "insufficient", "released"
SHIPPABLE = (RESERVED, "partially_shipped")


async def reserve_order(uow: UnitOfWork, tenant_id: uuid.UUID, order: ConfirmedOrder) -> None:
    key = await _claim(uow, tenant_id, order, RESERVED)
    if key is None:
        return  # answered (or cancelled) before: a redelivery reserves nothing
    repo = StockRepository(uow.session, tenant_id)
    needs = [await stock_needs(uow, tenant_id, ln.product_id, ln.quantity) for ln in order.lines]
    total: Needs = defaultdict(Decimal)
    for line_needs in needs:
        for product_id, quantity in line_needs.items():
            total[product_id] += quantity
    levels = await repo.lock_active_levels(total)
    short = allocation.shortages(total, _available(levels))
    if short:
        key.status = INSUFFICIENT
        uow.record(payloads.answer(tenant_id, order, payloads.insufficient(order, short)))
        return
    takes = allocation.allocate(needs, _stock(levels))
    _reserve(uow, key, order, takes, {(lv.product_id, lv.warehouse_id): lv for lv in levels})
    uow.record(payloads.answer(tenant_id, order, payloads.reserved(order, takes)))
    await settle_low_stock(uow, repo, total)


async def release_order(uow: UnitOfWork, tenant_id: uuid.UUID, order_id: uuid.UUID) -> None:
    """Give back what is still reserved for a cancelled order (shipped units stay
    shipped). A cancel that overtakes the confirmation leaves a released key, so
    the late confirmation reserves nothing."""
    placeholder = ConfirmedOrder(order_id, "", None, ())
    if await _claim(uow, tenant_id, placeholder, RELEASED) is not None:
        return
    key = await uow.session.scalar(
        sa.select(OrderReservationRow)
        .where(OrderReservationRow.tenant_id == tenant_id, OrderReservationRow.order_id == order_id)
        .with_for_update()
    )
    if key is None or key.status not in SHIPPABLE:
        if key is not None:
            key.status, key.updated_at = RELEASED, utcnow()
        return
    open_lines = [ln for ln in await reservation_lines(uow, key) if remaining(ln) > 0]
    repo = StockRepository(uow.session, tenant_id)
    levels = await repo.lock_levels((ln.product_id, ln.warehouse_id) for ln in open_lines)
    cause = Cause(SALES_ORDER, order_id, None, "order cancelled")
    released = []
    for line in open_lines:
        quantity = remaining(line)
        level = levels[(line.product_id, line.warehouse_id)]
        move(uow, level, kind=rules.RELEASE, quantity_delta=Decimal(0),
             reserved_delta=-quantity, cause=cause)  # fmt: skip
        line.released += quantity
        released.append(
            payloads.stock_line(line.product_id, quantity, line.warehouse_id, line.order_line_id)
        )
    key.status, key.updated_at = RELEASED, utcnow()
    uow.record(payloads.released(tenant_id, order_id, released))
    await settle_low_stock(uow, repo, {ln.product_id for ln in open_lines})


async def reservation_lines(uow: UnitOfWork, key: OrderReservationRow) -> list[ReservationLineRow]:
    stmt = (
        sa.select(ReservationLineRow)
        .where(ReservationLineRow.reservation_id == key.id)
        .order_by(ReservationLineRow.product_id, ReservationLineRow.warehouse_id)
    )
    return list((await uow.session.scalars(stmt)).all())


def remaining(line: ReservationLineRow) -> Decimal:
    return line.quantity - line.shipped - line.released


async def _claim(
    uow: UnitOfWork, tenant_id: uuid.UUID, order: ConfirmedOrder, status: str
) -> OrderReservationRow | None:
    """The order's unique key, new: None when the order has one already (a
    concurrent claimer waits for the first to commit, then finds it)."""
    new_id = await uow.session.scalar(
        insert(OrderReservationRow)
        .values(id=uuid.uuid4(), tenant_id=tenant_id, order_id=order.order_id,
                order_number=order.number, account_id=order.account_id, status=status,
                created_at=utcnow(), updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["tenant_id", "order_id"])
        .returning(OrderReservationRow.id)
    )  # fmt: skip
    return None if new_id is None else await uow.session.get(OrderReservationRow, new_id)


def _available(levels: list[StockLevelRow]) -> dict[uuid.UUID, Decimal]:
    available: dict[uuid.UUID, Decimal] = defaultdict(Decimal)
    for level in levels:
        available[level.product_id] += level.on_hand - level.reserved
    return available


def _stock(levels: list[StockLevelRow]) -> dict[uuid.UUID, dict[uuid.UUID, Decimal]]:
    stock: dict[uuid.UUID, dict[uuid.UUID, Decimal]] = defaultdict(dict)
    for level in levels:
        stock[level.product_id][level.warehouse_id] = level.on_hand - level.reserved
    return stock


def _reserve(
    uow: UnitOfWork,
    key: OrderReservationRow,
    order: ConfirmedOrder,
    takes: list[allocation.Take],
    levels: dict[tuple[uuid.UUID, uuid.UUID], StockLevelRow],
) -> None:
    cause = Cause(SALES_ORDER, order.order_id, None, f"order {order.number}".strip())
    for take in takes:
        level = levels[(take.product_id, take.warehouse_id)]
        move(uow, level, kind=rules.RESERVATION, quantity_delta=Decimal(0),
             reserved_delta=take.quantity, cause=cause)  # fmt: skip
        line = order.lines[take.line]
        uow.session.add(
            ReservationLineRow(
                tenant_id=key.tenant_id, reservation_id=key.id, order_line_id=line.line_id,
                line_product_id=line.product_id, product_id=take.product_id,
                warehouse_id=take.warehouse_id, quantity=take.quantity,
                shipped=Decimal(0), released=Decimal(0),
            )
        )  # fmt: skip
