"""Purchase orders and receipts against real PostgreSQL: gapless numbers under
concurrency, partial receipts raising stock on hand exactly (levels and ledger),
over-receipts refused with nothing changed, concurrent receipts of the last open
quantity, states, tenancy and permissions."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from crm_common.events.tables import OutboxMessage
from inventory import mappers_purchasing
from inventory.adapters.orm_stock import StockLevelRow, StockMovementRow, WarehouseRow
from inventory.adapters.purchasing_repository import OrderFilters
from inventory.domain.commands import CreateRecord, UpdateRecord
from inventory.domain.purchasing import LineSpec, ReceiveGoods, ReceiveSpec
from inventory.service_layer import products, purchase_orders, receipts, vendors
from inventory.service_layer.deps import InventoryDeps


def admin(tenant: str | None = None) -> AccessContext:
    return AccessContext(
        tenant_id=tenant or str(uuid.uuid4()),
        user_id=str(uuid.uuid4()),
        all_records=True,
        permissions={"*": frozenset({"*"})},
    )


async def product(deps: InventoryDeps, ctx: AccessContext, **values: object) -> uuid.UUID:
    base = {"sku": f"P-{uuid.uuid4().hex[:8]}", "name": "Bolt", "currency": "EUR"}
    return (await products.create_product(CreateRecord({**base, **values}), ctx, deps)).row.id


async def warehouse(deps: InventoryDeps, ctx: AccessContext) -> uuid.UUID:
    code = f"W{uuid.uuid4().hex[:8]}"
    row = WarehouseRow(
        id=uuid.uuid4(), tenant_id=uuid.UUID(ctx.tenant_id), code=code, code_key=code.lower(),
        name="Main", address="", active=True,
    )  # fmt: skip
    async with deps.uow() as uow:
        uow.session.add(row)
        await uow.commit()
    return row.id


async def vendor(deps: InventoryDeps, ctx: AccessContext, **values: object) -> uuid.UUID:
    cmd = CreateRecord({"name": "Acme", "currency": "EUR", **values})
    return (await vendors.create_vendor(cmd, ctx, deps)).row.id


async def order(
    deps: InventoryDeps, ctx: AccessContext, lines: list[LineSpec], *, issue: bool = True
) -> purchase_orders.VisibleOrder:
    values = {
        "vendor_id": await vendor(deps, ctx),
        "warehouse_id": await warehouse(deps, ctx),
        "lines": lines,
    }
    made = await purchase_orders.create_purchase_order(CreateRecord(values), ctx, deps)
    if not issue:
        return made
    return await purchase_orders.issue_purchase_order(made.row.id, 0, ctx, deps)


async def on_hand(deps: InventoryDeps, product_id: uuid.UUID) -> tuple[Decimal, list[Decimal]]:
    """The level's on hand and the ledger's receipt movements of the product."""
    async with deps.uow() as uow:
        level = await uow.session.scalar(
            sa.select(sa.func.sum(StockLevelRow.on_hand)).where(
                StockLevelRow.product_id == product_id
            )
        )
        moves = await uow.session.scalars(
            sa.select(StockMovementRow.quantity_delta)
            .where(StockMovementRow.product_id == product_id)
            .order_by(StockMovementRow.seq)
        )
        return level or Decimal(0), list(moves.all())


def receive(order_id: uuid.UUID, *specs: tuple[uuid.UUID, str]) -> ReceiveGoods:
    lines = tuple(ReceiveSpec(None, product_id, Decimal(q)) for product_id, q in specs)
    return ReceiveGoods(order_id, lines)


async def test_numbers_are_gapless_under_twenty_concurrent_creates(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    vendor_id, warehouse_id = (
        await vendor(inventory_deps, ctx),
        await warehouse(inventory_deps, ctx),
    )
    values = {"vendor_id": vendor_id, "warehouse_id": warehouse_id}

    async def create() -> str:
        made = await purchase_orders.create_purchase_order(
            CreateRecord(values), ctx, inventory_deps
        )
        return made.row.number

    numbers = await asyncio.gather(*(create() for _ in range(20)))
    year = datetime.now(UTC).year
    assert sorted(numbers) == [f"PO-{year}-{n:05d}" for n in range(1, 21)]


async def test_another_tenant_counts_from_one(inventory_deps: InventoryDeps) -> None:
    made = await order(inventory_deps, admin(), [], issue=False)
    assert made.row.number.endswith("-00001")
    assert made.row.status == "draft" and made.row.currency == "EUR"


async def test_lines_totals_and_currency_rounding(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    bolt, nut = await product(inventory_deps, ctx), await product(inventory_deps, ctx)
    lines = [
        LineSpec(bolt, Decimal("3"), Decimal("0.335")),
        LineSpec(nut, Decimal("2.5"), Decimal("4")),
    ]
    made = await order(inventory_deps, ctx, lines, issue=False)
    assert [li.line_total for li in made.row.lines] == [Decimal("1.01"), Decimal("10.00")]
    assert made.row.total == Decimal("11.01")


async def test_lines_must_be_stock_tracked_products_of_the_tenant(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    bolt = await product(inventory_deps, ctx)
    service = await product(inventory_deps, ctx, type="service")
    foreign = await product(inventory_deps, admin())
    for bad in (service, foreign, uuid.uuid4()):
        lines = [LineSpec(bolt, Decimal(1), Decimal(1)), LineSpec(bad, Decimal(1), Decimal(1))]
        with pytest.raises(InvalidArgument) as caught:
            await order(inventory_deps, ctx, lines, issue=False)
        assert caught.value.violations[0].field == "lines[1].product_id"
    with pytest.raises(InvalidArgument) as caught:
        await order(inventory_deps, ctx, [LineSpec(bolt, Decimal(0), Decimal(-1))], issue=False)
    assert {v.field for v in caught.value.violations} == {"lines[0].quantity", "lines[0].unit_cost"}


async def test_partial_receipts_raise_on_hand_exactly(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    bolt = await product(inventory_deps, ctx)
    made = await order(inventory_deps, ctx, [LineSpec(bolt, Decimal(10), Decimal("2.50"))])
    first = await receipts.receive_purchase_order(
        receive(made.row.id, (bolt, "6")), ctx, inventory_deps
    )
    assert first.order.row.status == "partially_received"
    assert first.order.row.lines[0].received_quantity == 6
    assert await on_hand(inventory_deps, bolt) == (Decimal(6), [Decimal(6)])
    line_id = made.row.lines[0].id
    second = await receipts.receive_purchase_order(
        ReceiveGoods(made.row.id, (ReceiveSpec(line_id, None, Decimal(4)),)), ctx, inventory_deps
    )
    assert second.order.row.status == "received"
    assert [len(r.lines) for r in second.order.row.receipts] == [1, 1]
    assert await on_hand(inventory_deps, bolt) == (Decimal(10), [Decimal(6), Decimal(4)])
    async with inventory_deps.uow() as uow:
        subjects = (
            await uow.session.scalars(
                sa.select(OutboxMessage.subject)
                .where(OutboxMessage.tenant_id == ctx.tenant_id)
                .order_by(OutboxMessage.seq)
            )
        ).all()
    po = [s for s in subjects if ".purchase_order." in s]
    assert (
        po
        == ["crm.inventory.purchase_order.issued"] + ["crm.inventory.purchase_order.received"] * 2
    )


async def test_over_receipt_is_refused_and_nothing_changes(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    bolt, nut = await product(inventory_deps, ctx), await product(inventory_deps, ctx)
    lines = [LineSpec(bolt, Decimal(10), Decimal(1)), LineSpec(nut, Decimal(5), Decimal(1))]
    made = await order(inventory_deps, ctx, lines)
    await receipts.receive_purchase_order(receive(made.row.id, (bolt, "6")), ctx, inventory_deps)
    with pytest.raises(InvalidArgument) as caught:
        await receipts.receive_purchase_order(
            receive(made.row.id, (nut, "5"), (bolt, "5")), ctx, inventory_deps
        )
    assert caught.value.violations[0].field == "lines[1].quantity"
    assert "only 4 of 10" in caught.value.violations[0].message
    assert await on_hand(inventory_deps, bolt) == (Decimal(6), [Decimal(6)])
    assert await on_hand(inventory_deps, nut) == (Decimal(0), [])
    got = await purchase_orders.get_purchase_order(made.row.id, ctx, inventory_deps)
    assert [li.received_quantity for li in got.row.lines] == [6, 0]
    assert got.row.status == "partially_received" and len(got.row.receipts) == 1


async def test_two_receipts_for_the_last_open_quantity_one_wins(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    bolt = await product(inventory_deps, ctx)
    made = await order(inventory_deps, ctx, [LineSpec(bolt, Decimal(10), Decimal(1))])
    await receipts.receive_purchase_order(receive(made.row.id, (bolt, "7")), ctx, inventory_deps)
    results = await asyncio.gather(
        *(
            receipts.receive_purchase_order(receive(made.row.id, (bolt, "3")), ctx, inventory_deps)
            for _ in range(2)
        ),
        return_exceptions=True,
    )
    # The loser waited for the order's lock and found it fully received (409).
    assert sorted(type(r).__name__ for r in results) == ["FailedPrecondition", "Received"]
    assert await on_hand(inventory_deps, bolt) == (Decimal(10), [Decimal(7), Decimal(3)])


async def test_concurrent_receipts_never_take_more_than_is_open(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    bolt = await product(inventory_deps, ctx)
    made = await order(inventory_deps, ctx, [LineSpec(bolt, Decimal(10), Decimal(1))])
    await receipts.receive_purchase_order(receive(made.row.id, (bolt, "6")), ctx, inventory_deps)
    results = await asyncio.gather(
        *(
            receipts.receive_purchase_order(receive(made.row.id, (bolt, "3")), ctx, inventory_deps)
            for _ in range(5)
        ),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["InvalidArgument"] * 4 + ["Received"]
    assert await on_hand(inventory_deps, bolt) == (Decimal(9), [Decimal(6), Decimal(3)])


async def test_states_drafts_and_cancel(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    bolt = await product(inventory_deps, ctx)
    draft = await order(inventory_deps, ctx, [], issue=False)
    with pytest.raises(FailedPrecondition):  # nothing to issue
        await purchase_orders.issue_purchase_order(draft.row.id, 0, ctx, inventory_deps)
    with pytest.raises(FailedPrecondition):  # not issued yet
        await receipts.receive_purchase_order(
            receive(draft.row.id, (bolt, "1")), ctx, inventory_deps
        )
    changed = await purchase_orders.update_purchase_order(
        UpdateRecord(draft.row.id, {"lines": [LineSpec(bolt, Decimal(2), Decimal("1.5"))]}),
        ctx,
        inventory_deps,
    )
    assert changed.row.total == Decimal("3.00") and changed.row.version == 2
    issued = await purchase_orders.issue_purchase_order(draft.row.id, 2, ctx, inventory_deps)
    with pytest.raises(FailedPrecondition):  # only drafts change
        await purchase_orders.update_purchase_order(
            UpdateRecord(draft.row.id, {"currency": "USD"}), ctx, inventory_deps
        )
    await receipts.receive_purchase_order(receive(draft.row.id, (bolt, "1")), ctx, inventory_deps)
    with pytest.raises(FailedPrecondition):  # goods arrived already
        await purchase_orders.cancel_purchase_order(issued.row.id, 0, ctx, inventory_deps)
    other = await order(inventory_deps, ctx, [LineSpec(bolt, Decimal(1), Decimal(1))])
    cancelled = await purchase_orders.cancel_purchase_order(other.row.id, 0, ctx, inventory_deps)
    assert cancelled.row.status == "cancelled"


async def test_tenancy_and_permissions(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    made = await order(inventory_deps, ctx, [], issue=False)
    with pytest.raises(NotFound):
        await purchase_orders.get_purchase_order(made.row.id, admin(), inventory_deps)
    viewer = replace(
        admin(ctx.tenant_id), all_records=False,
        permissions={"purchase_orders": frozenset({"view"}), "vendors": frozenset({"view"})},
    )  # fmt: skip
    assert (await purchase_orders.get_purchase_order(made.row.id, viewer, inventory_deps)).row
    with pytest.raises(PermissionDenied):
        await purchase_orders.issue_purchase_order(made.row.id, 0, viewer, inventory_deps)
    with pytest.raises(PermissionDenied):
        await receipts.receive_purchase_order(receive(made.row.id), viewer, inventory_deps)
    with pytest.raises(InvalidArgument) as caught:  # another tenant's vendor is no vendor
        await purchase_orders.create_purchase_order(
            CreateRecord({"vendor_id": made.row.vendor_id, "warehouse_id": made.row.warehouse_id}),
            admin(),
            inventory_deps,
        )
    assert caught.value.violations[0].field == "vendor_id"


async def test_every_answer_maps_to_the_wire(inventory_deps: InventoryDeps) -> None:
    """What a handler returns has everything the mapper reads loaded (no lazy
    loads after the unit of work closed)."""
    ctx = admin()
    bolt = await product(inventory_deps, ctx)
    made = await order(
        inventory_deps, ctx, [LineSpec(bolt, Decimal(4), Decimal("1.5"))], issue=False
    )
    assert mappers_purchasing.order_to_pb(made).total == "6.00"
    issued = await purchase_orders.issue_purchase_order(made.row.id, 0, ctx, inventory_deps)
    assert mappers_purchasing.order_to_pb(issued).status == "issued"
    got = await receipts.receive_purchase_order(
        receive(made.row.id, (bolt, "1.5")), ctx, inventory_deps
    )
    assert mappers_purchasing.receipt_to_pb(got.receipt).lines[0].quantity == "1.5"
    assert mappers_purchasing.order_to_pb(got.order).receipts[0].id == str(got.receipt.id)
    listed = await purchase_orders.list_purchase_orders(
        ctx, inventory_deps, OrderFilters(status="partially_received"), limit=5, cursor=None
    )
    assert [mappers_purchasing.order_to_pb(o).number for o in listed.items] == [made.row.number]
