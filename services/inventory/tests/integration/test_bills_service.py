"""Bills against real PostgreSQL: the 3-way match (quantities billed so far vs
received, unit cost vs the order's), events, duplicates, bad input."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import AlreadyExists, FailedPrecondition, InvalidArgument
from crm_common.events.tables import OutboxMessage
from inventory import mappers_purchasing
from inventory.adapters.orm_stock import WarehouseRow
from inventory.domain.commands import CreateRecord
from inventory.domain.purchasing import LineSpec, ReceiveGoods, ReceiveSpec, RecordBill
from inventory.service_layer import bills, products, purchase_orders, receipts, vendors
from inventory.service_layer.deps import InventoryDeps


def admin() -> AccessContext:
    return AccessContext(
        tenant_id=str(uuid.uuid4()),
        user_id=str(uuid.uuid4()),
        all_records=True,
        permissions={"*": frozenset({"*"})},
    )


async def issued_order(
    deps: InventoryDeps, ctx: AccessContext, *lines: tuple[str, str]
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """An issued order of one new product per (quantity, unit cost)."""
    ids = []
    for _ in lines:
        cmd = CreateRecord({"sku": f"B-{uuid.uuid4().hex[:8]}", "name": "Nut", "currency": "EUR"})
        ids.append((await products.create_product(cmd, ctx, deps)).row.id)
    code = f"W{uuid.uuid4().hex[:8]}"
    store = WarehouseRow(
        id=uuid.uuid4(), tenant_id=uuid.UUID(ctx.tenant_id), code=code, code_key=code.lower(),
        name="Main", address="", active=True,
    )  # fmt: skip
    async with deps.uow() as uow:
        uow.session.add(store)
        await uow.commit()
    vendor = await vendors.create_vendor(CreateRecord({"name": "V", "currency": "EUR"}), ctx, deps)
    specs = [LineSpec(p, Decimal(q), Decimal(c)) for p, (q, c) in zip(ids, lines, strict=True)]
    values = {"vendor_id": vendor.row.id, "warehouse_id": store.id, "lines": specs}
    made = await purchase_orders.create_purchase_order(CreateRecord(values), ctx, deps)
    await purchase_orders.issue_purchase_order(made.row.id, 0, ctx, deps)
    return made.row.id, ids


async def receive(deps: InventoryDeps, ctx: AccessContext, order_id: uuid.UUID,
                  product_id: uuid.UUID, quantity: str) -> None:  # fmt: skip
    spec = ReceiveSpec(None, product_id, Decimal(quantity))
    await receipts.receive_purchase_order(ReceiveGoods(order_id, (spec,)), ctx, deps)


def bill(order_id: uuid.UUID, *lines: tuple[uuid.UUID, str, str]) -> RecordBill:
    specs = tuple(LineSpec(p, Decimal(q), Decimal(c)) for p, q, c in lines)
    return RecordBill(order_id, f"INV-{uuid.uuid4().hex[:6]}", specs)


async def subjects(deps: InventoryDeps, ctx: AccessContext) -> list[str]:
    async with deps.uow() as uow:
        rows = await uow.session.scalars(
            sa.select(OutboxMessage.subject)
            .where(OutboxMessage.tenant_id == ctx.tenant_id, OutboxMessage.subject.like("%.bill.%"))
            .order_by(OutboxMessage.seq)
        )
        return list(rows.all())


async def test_a_bill_matching_receipts_and_prices_is_matched(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    order_id, (bolt, nut) = await issued_order(inventory_deps, ctx, ("10", "2.50"), ("4", "1.10"))
    await receive(inventory_deps, ctx, order_id, bolt, "10")
    await receive(inventory_deps, ctx, order_id, nut, "4")
    got = await bills.record_bill(
        bill(order_id, (bolt, "10", "2.50"), (nut, "4", "1.1")), ctx, inventory_deps
    )
    assert got.row.status == "matched" and got.row.total == Decimal("29.40")
    wire = mappers_purchasing.bill_to_pb(got)
    assert (wire.total, wire.lines[1].unit_cost, wire.lines[1].received_quantity) == (
        "29.40",
        "1.10",
        "4",
    )
    assert not any(li.quantity_mismatch or li.price_mismatch for li in got.row.lines)
    assert await subjects(inventory_deps, ctx) == ["crm.inventory.bill.recorded"]


async def test_quantity_and_price_mismatches_are_flagged_per_line(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    order_id, (bolt, nut) = await issued_order(inventory_deps, ctx, ("10", "2.50"), ("4", "1.10"))
    await receive(inventory_deps, ctx, order_id, bolt, "6")
    await receive(inventory_deps, ctx, order_id, nut, "4")
    got = await bills.record_bill(
        bill(order_id, (bolt, "10", "2.50"), (nut, "4", "1.25")), ctx, inventory_deps
    )
    flags = [(li.quantity_mismatch, li.price_mismatch) for li in got.row.lines]
    assert flags == [(True, False), (False, True)]
    first = got.row.lines[0]
    assert (first.received_quantity, first.billed_quantity) == (6, 10)
    assert got.row.lines[1].ordered_unit_cost == Decimal("1.10")
    assert got.row.status == "mismatch"
    assert await subjects(inventory_deps, ctx) == [
        "crm.inventory.bill.recorded",
        "crm.inventory.bill.mismatch",
    ]


async def test_billing_each_delivery_separately_matches(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    order_id, (bolt,) = await issued_order(inventory_deps, ctx, ("10", "2.00"))
    await receive(inventory_deps, ctx, order_id, bolt, "6")
    first = await bills.record_bill(bill(order_id, (bolt, "6", "2")), ctx, inventory_deps)
    await receive(inventory_deps, ctx, order_id, bolt, "4")
    second = await bills.record_bill(bill(order_id, (bolt, "4", "2")), ctx, inventory_deps)
    assert (first.row.status, second.row.status) == ("matched", "matched")
    assert second.row.lines[0].billed_quantity == 10
    listed = await bills.list_bills(
        ctx, inventory_deps, bills.BillFilters(purchase_order_id=order_id), limit=10, cursor=None
    )
    assert [b.row.id for b in listed.items] == [first.row.id, second.row.id]


async def test_bad_bills_are_refused(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    order_id, (bolt,) = await issued_order(inventory_deps, ctx, ("10", "2.00"))
    stranger = uuid.uuid4()
    with pytest.raises(InvalidArgument) as caught:
        await bills.record_bill(
            bill(order_id, (bolt, "1", "2"), (stranger, "1", "2")), ctx, inventory_deps
        )
    assert caught.value.violations[0].field == "lines[1].product_id"
    with pytest.raises(InvalidArgument) as caught:
        await bills.record_bill(bill(uuid.uuid4(), (bolt, "1", "2")), ctx, inventory_deps)
    assert caught.value.violations[0].field == "purchase_order_id"
    wrong_vendor = RecordBill(
        order_id, "X-1", (LineSpec(bolt, Decimal(1), Decimal(2)),), uuid.uuid4()
    )
    with pytest.raises(InvalidArgument) as caught:
        await bills.record_bill(wrong_vendor, ctx, inventory_deps)
    assert caught.value.violations[0].field == "vendor_id"
    once = RecordBill(order_id, "Inv-7", (LineSpec(bolt, Decimal(1), Decimal(2)),))
    await bills.record_bill(once, ctx, inventory_deps)
    with pytest.raises(AlreadyExists) as exists:
        await bills.record_bill(RecordBill(order_id, "INV-7", once.lines), ctx, inventory_deps)
    assert exists.value.field == "vendor_reference"
    cancelled, (nut,) = await issued_order(inventory_deps, ctx, ("1", "1"))
    await purchase_orders.cancel_purchase_order(cancelled, 0, ctx, inventory_deps)
    with pytest.raises(FailedPrecondition):  # a cancelled order has nothing to bill
        await bills.record_bill(bill(cancelled, (nut, "1", "1")), ctx, inventory_deps)
