"""Tax rates by tax class and region. Everyone who may see products may read them
(quotes show taxes); only administrators with products:edit change them."""

from __future__ import annotations

import uuid
from dataclasses import replace

from crm_common.access import AccessContext, require
from crm_common.errors import PermissionDenied
from crm_common.pagination import Page
from inventory.adapters.orm import TaxRateRow
from inventory.adapters.price_book_repository import TaxRateFilters, TaxRateRepository
from inventory.domain import price_books as rules
from inventory.domain.commands import CreateTaxRate
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.products import PRODUCTS
from inventory.service_layer.shared import actor, commit, tenant


def _require_admin(ctx: AccessContext) -> None:
    require(ctx, PRODUCTS, "edit")
    if not ctx.all_records:
        raise PermissionDenied("only administrators change tax rates")


async def create_tax_rate(
    cmd: CreateTaxRate, ctx: AccessContext, deps: InventoryDeps
) -> TaxRateRow:
    _require_admin(ctx)
    cmd = replace(
        cmd,
        tax_class=cmd.tax_class.strip(),
        region=rules.clean_region(cmd.region),
        name=cmd.name.strip(),
    )
    rules.validate_tax_rate(cmd)
    async with deps.uow() as uow:
        rate = TaxRateRow(
            id=uuid.uuid4(),
            tenant_id=tenant(ctx),
            tax_class=cmd.tax_class,
            region=cmd.region,
            name=cmd.name,
            rate=cmd.rate,
            inclusive=cmd.inclusive,
            compound=cmd.compound,
            position=cmd.position,
            created_by=actor(ctx),
            updated_by=actor(ctx),
        )
        uow.session.add(rate)
        await commit(uow)
    return rate


async def list_tax_rates(
    ctx: AccessContext,
    deps: InventoryDeps,
    filters: TaxRateFilters,
    *,
    limit: int,
    cursor: str | None,
) -> Page[TaxRateRow]:
    require(ctx, PRODUCTS, "view")
    async with deps.uow() as uow:
        repo = TaxRateRepository(uow.session, tenant(ctx))
        return await repo.page(filters, limit=limit, cursor=cursor)


async def delete_tax_rate(rate_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps) -> None:
    """Gone at once: prices already quoted keep their tax lines, new ones do not."""
    _require_admin(ctx)
    async with deps.uow() as uow:
        rate = await TaxRateRepository(uow.session, tenant(ctx)).get(rate_id)
        await uow.session.delete(rate)
        await commit(uow)
