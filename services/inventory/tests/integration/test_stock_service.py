"""Stock handlers against real PostgreSQL: warehouses, the receipt contract
purchasing calls, adjustments never below what is reserved, the append-only
ledger, bundle levels derived from components, stock.low once per crossing."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from crm.inventory.v1 import stock_pb2
from crm_common.access import AccessContext
from crm_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from crm_common.events.envelope import parse_envelope, unpack_payload
from crm_common.events.tables import OutboxMessage
from inventory.adapters.stock_repository import LevelFilters
from inventory.domain.commands import Component, CreateRecord, UpdateRecord
from inventory.domain.stock_commands import AdjustStock
from inventory.service_layer import products, stock_levels, warehouses
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.stock_ledger import receive_stock


def admin(tenant: str | None = None) -> AccessContext:
    return AccessContext(
        tenant_id=tenant or str(uuid.uuid4()),
        user_id=str(uuid.uuid4()),
        all_records=True,
        permissions={"*": frozenset({"*"})},
    )


def clerk(tenant: str, *actions: str) -> AccessContext:
    return AccessContext(
        tenant_id=tenant, user_id=str(uuid.uuid4()), permissions={"stock": frozenset(actions)}
    )


async def product(deps: InventoryDeps, ctx: AccessContext, **values: object) -> uuid.UUID:
    base = {"sku": f"S-{uuid.uuid4().hex[:8]}", "name": "Widget", "currency": "EUR"}
    made = await products.create_product(CreateRecord({**base, **values}), ctx, deps)
    return made.row.id


async def warehouse(deps: InventoryDeps, ctx: AccessContext, code: str = "") -> uuid.UUID:
    values = {"code": code or f"W{uuid.uuid4().hex[:6]}", "name": "Main"}
    return (await warehouses.create_warehouse(CreateRecord(values), ctx, deps)).id


async def adjust(
    deps: InventoryDeps, ctx: AccessContext, pid: uuid.UUID, wid: uuid.UUID, delta: str
) -> stock_levels.LevelView:
    cmd = AdjustStock(pid, wid, Decimal(delta), "count")
    return await stock_levels.adjust_stock(cmd, ctx, deps)


async def test_warehouse_code_unique_per_tenant_and_admin_only(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    wid = await warehouse(inventory_deps, ctx, code="AMS-1")
    with pytest.raises(AlreadyExists) as taken:
        await warehouse(inventory_deps, ctx, code="ams-1")
    assert taken.value.field == "code"
    await warehouse(inventory_deps, admin(), code="AMS-1")  # another tenant may
    with pytest.raises(PermissionDenied):
        await warehouse(inventory_deps, clerk(ctx.tenant_id, "view", "create", "edit"))
    with pytest.raises(InvalidArgument) as bad:
        await warehouses.create_warehouse(CreateRecord({"code": "a b", "name": ""}), ctx,
                                          inventory_deps)  # fmt: skip
    assert [v.field for v in bad.value.violations] == ["code", "name"]
    changed = await warehouses.update_warehouse(
        UpdateRecord(wid, {"active": False, "name": "Old"}, 1), ctx, inventory_deps
    )
    assert (changed.active, changed.name, changed.version) == (False, "Old", 2)
    with pytest.raises(NotFound):
        await warehouses.get_warehouse(wid, admin(), inventory_deps)


async def test_receive_and_adjust_write_the_ledger(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    pid, wid = await product(inventory_deps, ctx), await warehouse(inventory_deps, ctx)
    receipt = uuid.uuid4()
    async with inventory_deps.uow() as uow:
        await receive_stock(
            uow, tenant_id=uuid.UUID(ctx.tenant_id), product_id=pid, warehouse_id=wid,
            quantity=Decimal("12.5"), reference_type="receipt_note", reference_id=receipt,
            actor_id=None,
        )  # fmt: skip
        await uow.commit()
    level = await adjust(inventory_deps, ctx, pid, wid, "-2.5")
    assert (level.on_hand, level.reserved, level.available) == (10, 0, 10)
    page = await stock_levels.list_movements(ctx, inventory_deps, product_id=pid,
                                             warehouse_id=None, limit=10, cursor=None)  # fmt: skip
    assert [(m.kind, m.quantity_delta, m.reference_type) for m in page.items] == [
        ("adjustment", Decimal("-2.5"), "adjustment"),
        ("receipt", Decimal("12.5"), "receipt_note"),
    ]
    assert page.items[1].reference_id == receipt
    async with inventory_deps.uow() as uow:  # append-only: the database refuses changes
        with pytest.raises(DBAPIError):
            await uow.session.execute(sa.text("DELETE FROM stock_movements"))
    levels = await stock_levels.list_levels(ctx, inventory_deps, LevelFilters((pid,)),
                                            limit=10, cursor=None)  # fmt: skip
    assert [(lv.warehouse_id, lv.available) for lv in levels.items] == [(wid, 10)]


async def test_adjustments_refuse_bad_input_and_untracked_products(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    wid = await warehouse(inventory_deps, ctx)
    service = await product(inventory_deps, ctx, type="service")
    with pytest.raises(InvalidArgument) as untracked:
        await adjust(inventory_deps, ctx, service, wid, "1")
    assert untracked.value.violations[0].field == "product_id"
    pid = await product(inventory_deps, ctx)
    for delta, field in (("0", "quantity_delta"), ("0.0000001", "quantity_delta")):
        with pytest.raises(InvalidArgument) as bad:
            await adjust(inventory_deps, ctx, pid, wid, delta)
        assert bad.value.violations[0].field == field
    with pytest.raises(FailedPrecondition):
        await adjust(inventory_deps, ctx, pid, wid, "-1")  # below zero
    with pytest.raises(PermissionDenied):
        await adjust(inventory_deps, clerk(ctx.tenant_id, "view"), pid, wid, "1")
    with pytest.raises(NotFound):
        await adjust(inventory_deps, admin(), pid, wid, "1")  # another tenant's ids


async def test_bundle_level_is_derived_from_components(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    wid = await warehouse(inventory_deps, ctx)
    board, leg = await product(inventory_deps, ctx), await product(inventory_deps, ctx)
    table = await product(inventory_deps, ctx, type="bundle", components=[
        Component(board, Decimal(1)), Component(leg, Decimal(4)),
    ])  # fmt: skip
    await adjust(inventory_deps, ctx, board, wid, "5")
    await adjust(inventory_deps, ctx, leg, wid, "13")
    levels = await stock_levels.list_levels(ctx, inventory_deps, LevelFilters((table,)),
                                            limit=10, cursor=None)  # fmt: skip
    (level,) = levels.items
    assert (level.derived, level.available, level.warehouse_id) == (True, 3, None)


async def test_stock_low_once_per_crossing(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    wid = await warehouse(inventory_deps, ctx)
    pid = await product(inventory_deps, ctx, reorder_level=Decimal(5))
    await adjust(inventory_deps, ctx, pid, wid, "10")
    for delta in ("-6", "-1", "+1", "+2", "-4"):  # 4 low, 3, 4, 6 re-armed, 2 low again
        await adjust(inventory_deps, ctx, pid, wid, delta)
    async with inventory_deps.uow() as uow:
        rows = (
            await uow.session.scalars(
                sa.select(OutboxMessage.payload)
                .where(OutboxMessage.tenant_id == ctx.tenant_id,
                       OutboxMessage.subject == "crm.inventory.stock.low")
                .order_by(OutboxMessage.seq)
            )
        ).all()  # fmt: skip
    lows = [unpack_payload(parse_envelope(row), stock_pb2.StockLow) for row in rows]
    assert [(low.available, low.reorder_level) for low in lows] == [("4", "5"), ("2", "5")]
