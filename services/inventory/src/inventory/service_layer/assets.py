"""Assets: serial-numbered units delivered to accounts (made by delivery
notes), read with stock:view."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from crm_common.access import AccessContext, require
from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from inventory.adapters.orm_stock import AssetRow
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.shared import tenant
from inventory.service_layer.warehouses import STOCK


async def get_asset(asset_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps) -> AssetRow:
    require(ctx, STOCK, "view")
    async with deps.uow() as uow:
        asset = await uow.session.scalar(
            sa.select(AssetRow).where(
                AssetRow.id == asset_id, AssetRow.tenant_id == tenant(ctx), active(AssetRow)
            )
        )
    if asset is None:
        raise NotFound("asset not found")
    return asset


async def list_assets(
    ctx: AccessContext,
    deps: InventoryDeps,
    *,
    account_id: uuid.UUID | None,
    product_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> Page[AssetRow]:
    require(ctx, STOCK, "view")
    stmt = sa.select(AssetRow).where(AssetRow.tenant_id == tenant(ctx), active(AssetRow))
    if account_id is not None:
        stmt = stmt.where(AssetRow.account_id == account_id)
    if product_id is not None:
        stmt = stmt.where(AssetRow.product_id == product_id)
    async with deps.uow() as uow:
        order = (AssetRow.created_at, AssetRow.id)
        return await paginate(uow.session, stmt, order, limit=limit, cursor=cursor)
