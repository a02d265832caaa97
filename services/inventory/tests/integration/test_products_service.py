"""Product handlers against real PostgreSQL: sku unique per tenant (also under a
race), bundles without cycles, tenancy, permissions, versions, the outbox."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import (
    AlreadyExists,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    VersionConflict,
)
from crm_common.events.tables import OutboxMessage
from inventory.adapters.product_repository import ProductFilters
from inventory.domain.commands import Component, CreateRecord, UpdateRecord
from inventory.service_layer import products
from inventory.service_layer.deps import InventoryDeps


def admin(tenant: str | None = None) -> AccessContext:
    return AccessContext(
        tenant_id=tenant or str(uuid.uuid4()),
        user_id=str(uuid.uuid4()),
        all_records=True,
        permissions={"*": frozenset({"*"})},
    )


def viewer(tenant: str, **fields: str) -> AccessContext:
    return AccessContext(
        tenant_id=tenant,
        user_id=str(uuid.uuid4()),
        permissions={"products": frozenset({"view"})},
        fields={"products": fields},
    )


def sku() -> str:
    return f"SKU-{uuid.uuid4().hex[:8]}"


async def make(deps: InventoryDeps, ctx: AccessContext, **values: object) -> uuid.UUID:
    base = {"sku": sku(), "name": "Widget", "unit_price": Decimal("9.99"), "currency": "EUR"}
    made = await products.create_product(CreateRecord({**base, **values}), ctx, deps)
    return made.row.id


async def test_create_defaults_and_event(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    product_id = await make(inventory_deps, ctx, sku=" ab-1 ", currency="eur")
    got = (await products.get_product(product_id, ctx, inventory_deps)).row
    assert (got.sku, got.currency, got.type, got.tax_class) == (
        "ab-1",
        "EUR",
        "product",
        "standard",
    )
    assert got.stock_tracked is True and got.active is True and got.version == 1
    service = await make(inventory_deps, ctx, type="service")
    assert (await products.get_product(service, ctx, inventory_deps)).row.stock_tracked is False
    async with inventory_deps.uow() as uow:
        subjects = (
            await uow.session.scalars(
                sa.select(OutboxMessage.subject).where(OutboxMessage.tenant_id == ctx.tenant_id)
            )
        ).all()
    assert subjects == ["crm.inventory.product.created"] * 2


async def test_sku_is_unique_per_tenant_whatever_its_case(inventory_deps: InventoryDeps) -> None:
    ctx, other = admin(), admin()
    code = sku()
    await make(inventory_deps, ctx, sku=code)
    with pytest.raises(AlreadyExists) as caught:
        await make(inventory_deps, ctx, sku=code.lower())
    assert caught.value.field == "sku"
    await make(inventory_deps, other, sku=code)  # another tenant may use it
    second = await make(inventory_deps, ctx)
    with pytest.raises(AlreadyExists):
        await products.update_product(
            UpdateRecord(second, {"sku": code.upper()}), ctx, inventory_deps
        )


async def test_sku_race_has_exactly_one_winner(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    code = sku()
    results = await asyncio.gather(
        *(make(inventory_deps, ctx, sku=code) for _ in range(8)), return_exceptions=True
    )
    winners = [r for r in results if isinstance(r, uuid.UUID)]
    assert len(winners) == 1
    assert all(
        isinstance(r, AlreadyExists) and r.field == "sku" for r in results if r not in winners
    )


async def test_bad_values_name_every_field(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    bad = CreateRecord(
        {
            "sku": "has space",
            "currency": "XXX1",
            "unit_price": Decimal("-1"),
            "type": "service",
            "stock_tracked": True,
        }
    )
    with pytest.raises(InvalidArgument) as caught:
        await products.create_product(bad, ctx, inventory_deps)
    fields = {v.field for v in caught.value.violations}
    assert fields == {"sku", "name", "currency", "unit_price", "stock_tracked"}
    page = await products.list_products(
        ctx, inventory_deps, ProductFilters(), limit=50, cursor=None
    )
    assert page.items == []  # nothing was made


async def test_bundles_need_tenant_products_and_refuse_cycles(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    part = await make(inventory_deps, ctx)
    foreign = await make(inventory_deps, admin())
    with pytest.raises(InvalidArgument) as caught:
        await make(inventory_deps, ctx, type="bundle", components=[Component(foreign, Decimal(1))])
    assert caught.value.violations[0].field == "components"
    with pytest.raises(InvalidArgument):
        await make(inventory_deps, ctx, type="bundle")  # no components
    inner = await make(inventory_deps, ctx, type="bundle", components=[Component(part, Decimal(2))])
    outer = await make(
        inventory_deps, ctx, type="bundle", components=[Component(inner, Decimal(1))]
    )
    for target, components in (
        (inner, [Component(outer, Decimal(1))]),  # inner <- outer <- inner
        (inner, [Component(inner, Decimal(1))]),  # itself
    ):
        with pytest.raises(InvalidArgument) as caught:
            await products.update_product(
                UpdateRecord(target, {"components": components}), ctx, inventory_deps
            )
        assert caught.value.violations[0].field == "components"
    changed = await products.update_product(
        UpdateRecord(inner, {"components": [Component(part, Decimal(3))]}, 1), ctx, inventory_deps
    )
    assert [(c.component_id, c.quantity) for c in changed.row.components] == [(part, Decimal(3))]
    assert changed.row.version == 2
    assert changed.row.stock_tracked is False


async def test_other_tenants_and_permissions(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    product_id = await make(inventory_deps, ctx)
    stranger = admin()
    with pytest.raises(NotFound):
        await products.get_product(product_id, stranger, inventory_deps)
    with pytest.raises(NotFound):
        await products.update_product(
            UpdateRecord(product_id, {"name": "x"}), stranger, inventory_deps
        )
    page = await products.list_products(
        stranger, inventory_deps, ProductFilters(), limit=50, cursor=None
    )
    assert product_id not in {p.row.id for p in page.items}
    reader = viewer(ctx.tenant_id, unit_price="hidden")
    seen = await products.get_product(product_id, reader, inventory_deps)
    assert seen.hidden == {"unit_price"}
    with pytest.raises(PermissionDenied):
        await products.update_product(
            UpdateRecord(product_id, {"name": "x"}), reader, inventory_deps
        )


async def test_stale_version_and_filters(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    product_id = await make(inventory_deps, ctx, name="Blue pen")
    await make(inventory_deps, ctx, name="Consulting", type="service")
    await products.update_product(UpdateRecord(product_id, {"active": False}), ctx, inventory_deps)
    with pytest.raises(VersionConflict):
        await products.update_product(
            UpdateRecord(product_id, {"name": "x"}, 1), ctx, inventory_deps
        )

    async def names(filters: ProductFilters) -> list[str]:
        page = await products.list_products(ctx, inventory_deps, filters, limit=50, cursor=None)
        return [p.row.name for p in page.items]

    assert await names(ProductFilters(type="service")) == ["Consulting"]
    assert await names(ProductFilters(active=False)) == ["Blue pen"]
    assert await names(ProductFilters(q="PEN")) == ["Blue pen"]
