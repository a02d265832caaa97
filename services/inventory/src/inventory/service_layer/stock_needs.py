"""What a product needs from stock: itself when stock-tracked, a bundle's
components (however deeply nested) times their quantities, nothing for
services and untracked products."""

from __future__ import annotations

import uuid
from decimal import Decimal

from crm_common.db import UnitOfWork
from crm_common.errors import NotFound
from inventory.adapters.orm import ProductRow
from inventory.adapters.product_repository import MAX_DEPTH, ProductRepository

Needs = dict[uuid.UUID, Decimal]  # stock-tracked product id -> units


async def stock_needs(
    uow: UnitOfWork, tenant_id: uuid.UUID, product_id: uuid.UUID, quantity: Decimal
) -> Needs:
    """Units of stock-tracked products that ``quantity`` of ``product_id`` takes.
    An unknown product needs itself (and so is short: it has no stock)."""
    needs: Needs = {}
    repo = ProductRepository(uow.session, tenant_id)
    try:
        product = await repo.get(product_id)
    except NotFound:
        return {product_id: quantity}
    await _add(repo, product, quantity, needs, 0)
    return needs


async def components_per_unit(uow: UnitOfWork, tenant_id: uuid.UUID, bundle: ProductRow) -> Needs:
    """Stock-tracked units that one of ``bundle`` is made of."""
    needs: Needs = {}
    await _add(ProductRepository(uow.session, tenant_id), bundle, Decimal(1), needs, 0)
    return needs


async def _add(
    repo: ProductRepository, product: ProductRow, quantity: Decimal, needs: Needs, depth: int
) -> None:
    if product.stock_tracked:
        needs[product.id] = needs.get(product.id, Decimal(0)) + quantity
        return
    if product.type != "bundle" or depth >= MAX_DEPTH:
        return
    for component in product.components:
        try:
            child = await repo.get(component.component_id)
        except NotFound:
            continue
        await _add(repo, child, quantity * component.quantity, needs, depth + 1)
