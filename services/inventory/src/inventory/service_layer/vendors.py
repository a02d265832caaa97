"""Vendors: create, read, list, update.

Vendors belong to the tenant: module permissions (``vendors``) and field rules
decide, there is no record owner. One unit of work per handler.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from crm_common.access import AccessContext, check_writable_fields, hidden_fields, require
from crm_common.errors import VersionConflict
from crm_common.pagination import Page
from inventory.adapters.orm_purchasing import VendorRow
from inventory.adapters.purchasing_repository import PurchasingRepository, VendorFilters
from inventory.domain import purchasing as rules
from inventory.domain.commands import CreateRecord, UpdateRecord
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.shared import actor, commit, tenant

NEW_VENDOR_DEFAULTS = {
    "email": "",
    "phone": "",
    "address": "",
    "payment_terms_days": 30,
    "active": True,
}


@dataclass(frozen=True)
class VisibleVendor:
    row: VendorRow
    hidden: frozenset[str]


async def create_vendor(
    cmd: CreateRecord, ctx: AccessContext, deps: InventoryDeps
) -> VisibleVendor:
    require(ctx, rules.VENDORS, "create")
    check_writable_fields(ctx, rules.VENDORS, cmd.values)
    values = {**NEW_VENDOR_DEFAULTS, **rules.clean_vendor(cmd.values)}
    rules.validate_vendor(values, values)
    async with deps.uow() as uow:
        vendor = VendorRow(id=uuid.uuid4(), tenant_id=tenant(ctx), created_by=actor(ctx))
        _assign(vendor, values, ctx)
        uow.session.add(vendor)
        await commit(uow)
    return VisibleVendor(vendor, hidden_fields(ctx, rules.VENDORS))


async def get_vendor(
    vendor_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps
) -> VisibleVendor:
    require(ctx, rules.VENDORS, "view")
    async with deps.uow() as uow:
        vendor = await PurchasingRepository(uow.session, tenant(ctx)).vendor(vendor_id)
    return VisibleVendor(vendor, hidden_fields(ctx, rules.VENDORS))


async def list_vendors(
    ctx: AccessContext,
    deps: InventoryDeps,
    filters: VendorFilters,
    *,
    limit: int,
    cursor: str | None,
) -> Page[VisibleVendor]:
    require(ctx, rules.VENDORS, "view")
    async with deps.uow() as uow:
        repo = PurchasingRepository(uow.session, tenant(ctx))
        page = await repo.vendors(filters, limit=limit, cursor=cursor)
    hidden = hidden_fields(ctx, rules.VENDORS)
    return Page([VisibleVendor(row, hidden) for row in page.items], page.next_cursor)


async def update_vendor(
    cmd: UpdateRecord, ctx: AccessContext, deps: InventoryDeps
) -> VisibleVendor:
    require(ctx, rules.VENDORS, "edit")
    check_writable_fields(ctx, rules.VENDORS, cmd.changes)
    changes = rules.clean_vendor(cmd.changes)
    async with deps.uow() as uow:
        repo = PurchasingRepository(uow.session, tenant(ctx))
        vendor = await repo.vendor(cmd.record_id, for_update=True)
        if cmd.expected_version and cmd.expected_version != vendor.version:
            raise VersionConflict(f"record is at version {vendor.version}")
        current = {"name": vendor.name, "currency": vendor.currency}
        rules.validate_vendor(changes, {**current, **changes})
        _assign(vendor, changes, ctx)
        await commit(uow)
    return VisibleVendor(vendor, hidden_fields(ctx, rules.VENDORS))


def _assign(vendor: VendorRow, values: dict[str, Any], ctx: AccessContext) -> None:
    for name, value in values.items():
        setattr(vendor, name, value)
    vendor.updated_by = actor(ctx)
