"""Delivery notes against real PostgreSQL: shipping reserved stock (all, or
some lines), serials becoming assets of the order's account, refusals that
change nothing."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from crm.sales.v1 import quotes_pb2
from crm_common.access import AccessContext
from crm_common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from crm_common.events.envelope import NewEvent, build_envelope
from inventory.adapters.stock_repository import LevelFilters
from inventory.domain.commands import CreateRecord
from inventory.domain.stock_commands import AdjustStock, CreateDeliveryNote, ShipLine
from inventory.service_layer import (
    assets,
    delivery_notes,
    order_consumer,
    products,
    stock_levels,
    warehouses,
)
from inventory.service_layer.deps import InventoryDeps

ACCOUNT = str(uuid.uuid4())


def admin() -> AccessContext:
    return AccessContext(tenant_id=str(uuid.uuid4()), user_id=str(uuid.uuid4()),
                         all_records=True, permissions={"*": frozenset({"*"})})  # fmt: skip


async def reserved_order(
    deps: InventoryDeps, ctx: AccessContext, *quantities: str
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """An order reserving ``quantities`` of new products (10 units each on hand)."""
    values = {"code": f"D{uuid.uuid4().hex[:6]}", "name": "Dock"}
    wid = (await warehouses.create_warehouse(CreateRecord(values), ctx, deps)).id
    pids = []
    for _ in quantities:
        base = {"sku": f"D-{uuid.uuid4().hex[:8]}", "name": "Router", "currency": "EUR"}
        pid = (await products.create_product(CreateRecord(base), ctx, deps)).row.id
        await stock_levels.adjust_stock(AdjustStock(pid, wid, Decimal(10), "count"), ctx, deps)
        pids.append(pid)
    order_id = uuid.uuid4()
    payload = quotes_pb2.SalesOrderEvent(
        order_id=str(order_id), account_id=ACCOUNT,
        lines=[quotes_pb2.OrderLineItem(line_id=f"l{i}", product_id=str(p), quantity=q)
               for i, (p, q) in enumerate(zip(pids, quantities, strict=True))],
    )  # fmt: skip
    event = NewEvent("crm.sales.order.confirmed", ctx.tenant_id, str(order_id), payload)
    async with deps.uow() as uow:
        await order_consumer.on_order_event(uow, build_envelope(event, source="sales"))
        await uow.commit()
    return order_id, pids


async def level(deps: InventoryDeps, ctx: AccessContext, pid: uuid.UUID) -> tuple[Decimal, ...]:
    (lv,) = (await stock_levels.list_levels(ctx, deps, LevelFilters((pid,)), limit=5,
                                            cursor=None)).items  # fmt: skip
    return (lv.on_hand, lv.reserved)


async def test_partial_then_full_delivery_with_assets(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    order_id, (router, cable) = await reserved_order(inventory_deps, ctx, "3", "5")
    first = CreateDeliveryNote(order_id, (ShipLine(router, Decimal(2), ("SN-1", "SN-2")),))
    note = await delivery_notes.create_delivery_note(first, ctx, inventory_deps)
    assert note.status == "shipped" and note.account_id == uuid.UUID(ACCOUNT)
    assert await level(inventory_deps, ctx, router) == (8, 1)
    rest = await delivery_notes.create_delivery_note(CreateDeliveryNote(order_id), ctx,
                                                     inventory_deps)  # fmt: skip
    assert sorted(ln["quantity"] for ln in rest.lines) == ["1", "5"]
    assert await level(inventory_deps, ctx, cable) == (5, 0)
    page = await assets.list_assets(ctx, inventory_deps, account_id=uuid.UUID(ACCOUNT),
                                    product_id=router, limit=10, cursor=None)  # fmt: skip
    assert sorted(a.serial_number for a in page.items) == ["SN-1", "SN-2"]
    got = await assets.get_asset(page.items[0].id, ctx, inventory_deps)
    assert (got.delivery_note_id, got.status) == (note.id, "delivered")
    with pytest.raises(FailedPrecondition):  # everything is shipped
        await delivery_notes.create_delivery_note(CreateDeliveryNote(order_id), ctx,
                                                  inventory_deps)  # fmt: skip
    with pytest.raises(NotFound):
        await assets.get_asset(got.id, admin(), inventory_deps)


async def test_refused_deliveries_change_nothing(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    order_id, (router,) = await reserved_order(inventory_deps, ctx, "2")
    too_many = CreateDeliveryNote(order_id, (ShipLine(router, Decimal(3)),))
    with pytest.raises(FailedPrecondition):
        await delivery_notes.create_delivery_note(too_many, ctx, inventory_deps)
    wrong_serials = CreateDeliveryNote(order_id, (ShipLine(router, Decimal(2), ("A",)),))
    with pytest.raises(InvalidArgument) as bad:
        await delivery_notes.create_delivery_note(wrong_serials, ctx, inventory_deps)
    assert bad.value.violations[0].field == "lines[0].serials"
    with pytest.raises(NotFound):
        await delivery_notes.create_delivery_note(CreateDeliveryNote(uuid.uuid4()), ctx,
                                                  inventory_deps)  # fmt: skip
    ok = CreateDeliveryNote(order_id, (ShipLine(router, Decimal(1), ("X-1",)),))
    await delivery_notes.create_delivery_note(ok, ctx, inventory_deps)
    again = CreateDeliveryNote(order_id, (ShipLine(router, Decimal(1), ("X-1",)),))
    with pytest.raises(AlreadyExists):
        await delivery_notes.create_delivery_note(again, ctx, inventory_deps)
    assert await level(inventory_deps, ctx, router) == (9, 1)
