"""Warehouses: create, read, list, update. They belong to the tenant (module
``stock``, no owner); creating and changing them is for administrators (every
record of the tenant) because a warehouse changes where every order draws from.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError

from crm_common.access import AccessContext, require
from crm_common.db import UnitOfWork
from crm_common.errors import AlreadyExists, PermissionDenied, VersionConflict
from crm_common.pagination import Page
from inventory.adapters.orm_stock import WarehouseRow
from inventory.adapters.stock_repository import StockRepository
from inventory.domain import stock as rules
from inventory.domain.commands import CreateRecord, UpdateRecord
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.shared import actor, commit, tenant

STOCK = "stock"
WAREHOUSE_FIELDS = frozenset({"code", "name", "address", "active"})
CODE_INDEX = "uq_warehouses_tenant_code_key"


def require_admin(ctx: AccessContext, action: str) -> None:
    require(ctx, STOCK, action)
    if not ctx.all_records:
        raise PermissionDenied("only administrators manage warehouses")


async def create_warehouse(
    cmd: CreateRecord, ctx: AccessContext, deps: InventoryDeps
) -> WarehouseRow:
    require_admin(ctx, "create")
    values: dict[str, Any] = {"address": "", "active": True, **rules.clean_warehouse(cmd.values)}
    rules.validate_warehouse(values)
    async with deps.uow() as uow:
        repo = StockRepository(uow.session, tenant(ctx))
        await _check_code(repo, str(values["code"]))
        warehouse = WarehouseRow(id=uuid.uuid4(), tenant_id=repo.tenant_id, created_by=actor(ctx))
        _assign(warehouse, values, ctx)
        uow.session.add(warehouse)
        await _commit(uow)
    return warehouse


async def get_warehouse(
    warehouse_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps
) -> WarehouseRow:
    require(ctx, STOCK, "view")
    async with deps.uow() as uow:
        return await StockRepository(uow.session, tenant(ctx)).warehouse(warehouse_id)


async def list_warehouses(
    ctx: AccessContext, deps: InventoryDeps, *, active: bool | None, limit: int, cursor: str | None
) -> Page[WarehouseRow]:
    require(ctx, STOCK, "view")
    async with deps.uow() as uow:
        repo = StockRepository(uow.session, tenant(ctx))
        return await repo.warehouses(active_only=active, limit=limit, cursor=cursor)


async def update_warehouse(
    cmd: UpdateRecord, ctx: AccessContext, deps: InventoryDeps
) -> WarehouseRow:
    require_admin(ctx, "edit")
    changes = rules.clean_warehouse(cmd.changes)
    async with deps.uow() as uow:
        repo = StockRepository(uow.session, tenant(ctx))
        warehouse = await repo.warehouse(cmd.record_id, for_update=True)
        if cmd.expected_version and cmd.expected_version != warehouse.version:
            raise VersionConflict(f"record is at version {warehouse.version}")
        current = {name: getattr(warehouse, name) for name in WAREHOUSE_FIELDS}
        rules.validate_warehouse({**current, **changes})
        if "code" in changes:
            await _check_code(repo, str(changes["code"]), other_than=warehouse.id)
        _assign(warehouse, changes, ctx)
        await _commit(uow)
    return warehouse


async def _check_code(
    repo: StockRepository, code: str, *, other_than: uuid.UUID | None = None
) -> None:
    """The friendly answer; the unique index settles a race (``_commit``)."""
    if await repo.code_taken(code.lower(), other_than=other_than):
        raise AlreadyExists("a warehouse with this code exists", field="code")


async def _commit(uow: UnitOfWork) -> None:
    try:
        await commit(uow)
    except IntegrityError as exc:
        if CODE_INDEX in str(exc.orig):
            raise AlreadyExists("a warehouse with this code exists", field="code") from exc
        raise


def _assign(warehouse: WarehouseRow, values: dict[str, Any], ctx: AccessContext) -> None:
    for name, value in values.items():
        setattr(warehouse, name, value)
    if "code" in values:
        warehouse.code_key = str(values["code"]).lower()
    warehouse.updated_by = actor(ctx)
