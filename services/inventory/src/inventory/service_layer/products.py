"""Products, services and bundles: create, read, list, update.

The catalogue belongs to the tenant: module permissions (``products``) and field
rules decide, there is no record owner. One unit of work per handler: the change
and its event commit together or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crm.inventory.v1 import events_pb2
from crm_common.access import AccessContext, check_writable_fields, hidden_fields, require
from crm_common.db import utcnow
from crm_common.errors import AlreadyExists, InvalidArgument, VersionConflict
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page
from inventory.adapters.orm import ComponentRow, ProductRow
from inventory.adapters.product_repository import ProductFilters, ProductRepository
from inventory.domain import events
from inventory.domain import products as rules
from inventory.domain.commands import Component, CreateRecord, UpdateRecord
from inventory.metrics import PRODUCTS_CREATED
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.shared import actor, commit, tenant

PRODUCTS = "products"


@dataclass(frozen=True)
class VisibleProduct:
    row: ProductRow
    hidden: frozenset[str]


async def create_product(
    cmd: CreateRecord, ctx: AccessContext, deps: InventoryDeps
) -> VisibleProduct:
    require(ctx, PRODUCTS, "create")
    check_writable_fields(ctx, PRODUCTS, cmd.values)
    values = rules.with_defaults(rules.clean(cmd.values))
    rules.validate(values, values)
    async with deps.uow() as uow:
        repo = ProductRepository(uow.session, tenant(ctx))
        await _check_sku(repo, values["sku"])
        product = ProductRow(id=uuid.uuid4(), tenant_id=repo.tenant_id, created_by=actor(ctx))
        await _set_components(repo, product, values.pop("components"))
        _assign(product, values, ctx)
        uow.session.add(product)
        uow.record(product_event(events.PRODUCT_CREATED, product, ctx))
        await commit(uow)
    PRODUCTS_CREATED.inc()
    return VisibleProduct(product, hidden_fields(ctx, PRODUCTS))


async def get_product(
    product_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps
) -> VisibleProduct:
    require(ctx, PRODUCTS, "view")
    async with deps.uow() as uow:
        product = await ProductRepository(uow.session, tenant(ctx)).get(product_id)
    return VisibleProduct(product, hidden_fields(ctx, PRODUCTS))


async def list_products(
    ctx: AccessContext,
    deps: InventoryDeps,
    filters: ProductFilters,
    *,
    limit: int,
    cursor: str | None,
) -> Page[VisibleProduct]:
    require(ctx, PRODUCTS, "view")
    async with deps.uow() as uow:
        repo = ProductRepository(uow.session, tenant(ctx))
        page = await repo.page(filters, limit=limit, cursor=cursor)
    hidden = hidden_fields(ctx, PRODUCTS)
    return Page([VisibleProduct(row, hidden) for row in page.items], page.next_cursor)


async def update_product(
    cmd: UpdateRecord, ctx: AccessContext, deps: InventoryDeps
) -> VisibleProduct:
    require(ctx, PRODUCTS, "edit")
    check_writable_fields(ctx, PRODUCTS, cmd.changes)
    changes = rules.clean(cmd.changes)
    async with deps.uow() as uow:
        repo = ProductRepository(uow.session, tenant(ctx))
        if "components" in changes:
            await repo.lock_bundles()
        product = await repo.get(cmd.record_id, for_update=True)
        if cmd.expected_version and cmd.expected_version != product.version:
            raise VersionConflict(f"record is at version {product.version}")
        rules.validate(changes, {**_current(product), **changes})
        if "sku" in changes:
            await _check_sku(repo, changes["sku"], other_than=product.id)
        if "components" in changes:
            components = changes.pop("components")
            rules.check_no_cycle(product.id, await repo.nested_in(_ids(components)))
            await _set_components(repo, product, components)
        _assign(product, changes, ctx)
        uow.record(product_event(events.PRODUCT_UPDATED, product, ctx, sorted(cmd.changes)))
        await commit(uow)
    return VisibleProduct(product, hidden_fields(ctx, PRODUCTS))


def product_event(
    subject: str, product: ProductRow, ctx: AccessContext, changed: list[str] | None = None
) -> NewEvent:
    payload = events_pb2.ProductChanged(
        product_id=str(product.id),
        sku=product.sku,
        type=product.type,
        active=product.active,
        changed_fields=changed or [],
    )
    actor_id = ctx.user_id or ctx.api_key_id
    return NewEvent(subject, str(product.tenant_id), str(product.id), payload, actor_id=actor_id)


async def _check_sku(
    repo: ProductRepository, sku: str, *, other_than: uuid.UUID | None = None
) -> None:
    """The friendly answer; the unique index settles a race (see shared.commit)."""
    if await repo.sku_taken(rules.sku_key(sku), other_than=other_than):
        raise AlreadyExists("a product with this sku exists", field="sku")


async def _set_components(
    repo: ProductRepository, product: ProductRow, components: Sequence[Component]
) -> None:
    missing = set(_ids(components)) - await repo.existing(_ids(components))
    if missing:
        raise InvalidArgument.for_field("components", f"no such product: {sorted(missing)[0]}")
    if product.components:  # old lines go first, or a kept component collides with itself
        product.components = []
        await repo.session.flush()
    product.components = [
        ComponentRow(
            component_id=c.product_id, tenant_id=repo.tenant_id, quantity=c.quantity, position=i
        )
        for i, c in enumerate(components)
    ]


def _ids(components: Sequence[Component]) -> list[uuid.UUID]:
    return [c.product_id for c in components]


def _current(product: ProductRow) -> dict[str, Any]:
    names = ("sku", "name", "type", "currency", "tax_class", "stock_tracked")
    current: dict[str, Any] = {name: getattr(product, name) for name in names}
    current["components"] = [Component(c.component_id, c.quantity) for c in product.components]
    return current


def _assign(product: ProductRow, values: dict[str, Any], ctx: AccessContext) -> None:
    for name, value in values.items():
        setattr(product, name, value)
    product.sku_key = rules.sku_key(product.sku)
    product.updated_by = actor(ctx)
    product.updated_at = utcnow()  # a change of components alone still bumps the version
