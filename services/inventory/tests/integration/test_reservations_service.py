"""Reservations answering sales orders, against real PostgreSQL, through the
consumer handler (each call in its own unit of work, as the durable consumer
runs it): never oversold under 100 concurrent orders, all or nothing, once per
order however often the event comes, released when the order is cancelled."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import sqlalchemy as sa

from crm.common.v1 import events_pb2 as common_events
from crm.inventory.v1 import stock_events_pb2
from crm.sales.v1 import quotes_pb2
from crm_common.access import AccessContext
from crm_common.events.envelope import NewEvent, build_envelope, parse_envelope, unpack_payload
from crm_common.events.tables import OutboxMessage
from inventory.adapters.stock_repository import LevelFilters
from inventory.domain.commands import Component, CreateRecord
from inventory.domain.stock_commands import AdjustStock
from inventory.service_layer import order_consumer, products, stock_levels, warehouses
from inventory.service_layer.deps import InventoryDeps


def admin() -> AccessContext:
    return AccessContext(tenant_id=str(uuid.uuid4()), user_id=str(uuid.uuid4()),
                         all_records=True, permissions={"*": frozenset({"*"})})  # fmt: skip


async def product(deps: InventoryDeps, ctx: AccessContext, **values: object) -> uuid.UUID:
    base = {"sku": f"R-{uuid.uuid4().hex[:8]}", "name": "Widget", "currency": "EUR"}
    return (await products.create_product(CreateRecord({**base, **values}), ctx, deps)).row.id


async def stocked(deps: InventoryDeps, ctx: AccessContext, **per_warehouse: str) -> uuid.UUID:
    """A product with ``code=quantity`` units in new warehouses."""
    pid = await product(deps, ctx)
    for code, quantity in per_warehouse.items():
        values = {"code": f"{code}-{uuid.uuid4().hex[:4]}", "name": code}
        wid = (await warehouses.create_warehouse(CreateRecord(values), ctx, deps)).id
        await stock_levels.adjust_stock(AdjustStock(pid, wid, Decimal(quantity), "count"), ctx,
                                        deps)  # fmt: skip
    return pid


def order_event(
    ctx: AccessContext, subject: str, order_id: str, *lines: tuple[uuid.UUID, str]
) -> common_events.Envelope:
    payload = quotes_pb2.SalesOrderEvent(
        order_id=order_id, number="SO-1", account_id=str(uuid.uuid4()),
        lines=[quotes_pb2.OrderLineItem(line_id=f"l{i}", product_id=str(p), quantity=q)
               for i, (p, q) in enumerate(lines)],
    )  # fmt: skip
    return build_envelope(NewEvent(subject, ctx.tenant_id, order_id, payload), source="sales")


async def deliver(deps: InventoryDeps, envelope: common_events.Envelope) -> None:
    async with deps.uow() as uow:
        await order_consumer.on_order_event(uow, envelope)
        await uow.commit()


async def confirm(deps: InventoryDeps, ctx: AccessContext, *lines: tuple[uuid.UUID, str]) -> str:
    order_id = str(uuid.uuid4())
    await deliver(deps, order_event(ctx, "crm.sales.order.confirmed", order_id, *lines))
    return order_id


async def answers(deps: InventoryDeps, ctx: AccessContext) -> list[tuple[str, str]]:
    async with deps.uow() as uow:
        rows = await uow.session.execute(
            sa.select(OutboxMessage.subject, OutboxMessage.payload)
            .where(OutboxMessage.tenant_id == ctx.tenant_id,
                   OutboxMessage.subject.like("crm.inventory.stock.%"),
                   OutboxMessage.subject != "crm.inventory.stock.low")
            .order_by(OutboxMessage.seq)
        )  # fmt: skip
        return [(subject, parse_envelope(payload).subject_id) for subject, payload in rows]


async def level(deps: InventoryDeps, ctx: AccessContext, pid: uuid.UUID) -> tuple[Decimal, ...]:
    page = await stock_levels.list_levels(ctx, deps, LevelFilters((pid,)), limit=50, cursor=None)
    return (sum(lv.on_hand for lv in page.items), sum(lv.reserved for lv in page.items))


async def test_hundred_concurrent_orders_never_oversell(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    pid = await stocked(inventory_deps, ctx, main="10")
    orders = [str(uuid.uuid4()) for _ in range(100)]
    events = [order_event(ctx, "crm.sales.order.confirmed", o, (pid, "1")) for o in orders]
    await asyncio.gather(*(deliver(inventory_deps, event) for event in events))
    subjects = [subject for subject, _ in await answers(inventory_deps, ctx)]
    assert subjects.count("crm.inventory.stock.reserved") == 10
    assert subjects.count("crm.inventory.stock.insufficient") == 90
    assert await level(inventory_deps, ctx, pid) == (10, 10)


async def test_redelivered_order_reserves_once(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    pid = await stocked(inventory_deps, ctx, main="5")
    order_id = str(uuid.uuid4())
    for _ in range(3):  # new event ids each time: the order's key, not the inbox, decides
        await deliver(inventory_deps, order_event(ctx, "crm.sales.order.confirmed", order_id,
                                                  (pid, "2")))  # fmt: skip
    assert await answers(inventory_deps, ctx) == [("crm.inventory.stock.reserved", order_id)]
    assert await level(inventory_deps, ctx, pid) == (5, 2)


async def test_all_or_nothing_when_one_line_is_short(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    plenty, scarce = (
        await stocked(inventory_deps, ctx, a="10"),
        await stocked(inventory_deps, ctx, b="1"),
    )
    order_id = await confirm(inventory_deps, ctx, (plenty, "3"), (scarce, "2"))
    assert await answers(inventory_deps, ctx) == [("crm.inventory.stock.insufficient", order_id)]
    assert await level(inventory_deps, ctx, plenty) == (10, 0)
    assert await level(inventory_deps, ctx, scarce) == (1, 0)
    async with inventory_deps.uow() as uow:
        payload = await uow.session.scalar(
            sa.select(OutboxMessage.payload).where(OutboxMessage.tenant_id == ctx.tenant_id,
                                                   OutboxMessage.subject.like("%insufficient"))
        )  # fmt: skip
    answer = unpack_payload(parse_envelope(payload), stock_events_pb2.StockInsufficient)
    assert [(m.product_id, m.requested, m.available, m.missing) for m in answer.missing] == [
        (str(scarce), "2", "1", "1")
    ]


async def test_split_over_warehouses_most_available_first(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    pid = await stocked(inventory_deps, ctx, small="2", big="5")
    await confirm(inventory_deps, ctx, (pid, "6"))
    page = await stock_levels.list_levels(ctx, inventory_deps, LevelFilters((pid,)), limit=9,
                                          cursor=None)  # fmt: skip
    assert sorted((lv.on_hand, lv.reserved) for lv in page.items) == [(2, 1), (5, 5)]


async def test_bundle_reserves_components_and_cancel_releases(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    board, leg = (
        await stocked(inventory_deps, ctx, a="3"),
        await stocked(inventory_deps, ctx, b="8"),
    )
    table = await product(inventory_deps, ctx, type="bundle", components=[
        Component(board, Decimal(1)), Component(leg, Decimal(4)),
    ])  # fmt: skip
    consulting = await product(inventory_deps, ctx, type="service")
    order_id = await confirm(inventory_deps, ctx, (table, "2"), (consulting, "5"))
    assert await level(inventory_deps, ctx, board) == (3, 2)
    assert await level(inventory_deps, ctx, leg) == (8, 8)
    cancel = order_event(ctx, "crm.sales.order.cancelled", order_id)
    await deliver(inventory_deps, cancel)
    await deliver(inventory_deps, order_event(ctx, "crm.sales.order.cancelled", order_id))
    assert await level(inventory_deps, ctx, board) == (3, 0)
    assert await level(inventory_deps, ctx, leg) == (8, 0)
    assert [s for s, _ in await answers(inventory_deps, ctx)] == [
        "crm.inventory.stock.reserved", "crm.inventory.stock.released",
    ]  # fmt: skip
    movements = await stock_levels.list_movements(
        ctx, inventory_deps, product_id=leg, warehouse_id=None, limit=9, cursor=None
    )
    assert [(m.kind, m.reserved_delta) for m in movements.items] == [
        ("release", -8),
        ("reservation", 8),
        ("adjustment", 0),
    ]


async def test_cancel_before_confirmation_reserves_nothing(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    pid = await stocked(inventory_deps, ctx, main="5")
    order_id = str(uuid.uuid4())
    await deliver(inventory_deps, order_event(ctx, "crm.sales.order.cancelled", order_id))
    await deliver(inventory_deps, order_event(ctx, "crm.sales.order.confirmed", order_id,
                                              (pid, "1")))  # fmt: skip
    assert await level(inventory_deps, ctx, pid) == (5, 0)
    assert await answers(inventory_deps, ctx) == []
