"""Purchase orders: create (numbered), read, list, change a draft, issue, cancel.

Module ``purchase_orders`` decides (no record owner). Changes lock the order row
first, so they take turns with receipts and bills of the same order. Receipts:
``receipts.py``; bills: ``bills.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from crm_common.access import AccessContext, check_writable_fields, require
from crm_common.db import utcnow
from crm_common.errors import FailedPrecondition, InvalidArgument, NotFound, VersionConflict
from crm_common.pagination import Page
from inventory.adapters.orm_purchasing import PurchaseOrderLineRow, PurchaseOrderRow, VendorRow
from inventory.adapters.purchasing_repository import (
    OrderFilters,
    PurchasingRepository,
    next_po_number,
)
from inventory.domain import purchasing as rules
from inventory.domain.commands import CreateRecord, UpdateRecord
from inventory.domain.purchasing import PURCHASE_ORDERS, LineSpec
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.purchasing_shared import (
    VisibleOrder,
    commit,
    order_event,
    today,
    visible_order,
)
from inventory.service_layer.shared import actor, tenant


async def create_purchase_order(
    cmd: CreateRecord, ctx: AccessContext, deps: InventoryDeps
) -> VisibleOrder:
    require(ctx, PURCHASE_ORDERS, "create")
    check_writable_fields(ctx, PURCHASE_ORDERS, cmd.values)
    values = dict(cmd.values)
    lines: Sequence[LineSpec] = values.pop("lines", ())
    rules.validate_order_header(values, lines)
    async with deps.uow() as uow:
        repo = PurchasingRepository(uow.session, tenant(ctx))
        vendor = await _check_links(repo, values)
        values["currency"] = values.get("currency") or (vendor.currency if vendor else "")
        order = PurchaseOrderRow(id=uuid.uuid4(), tenant_id=repo.tenant_id, receipts=[], **values)
        order.status, order.created_by, order.updated_by = rules.DRAFT, actor(ctx), actor(ctx)
        await _set_lines(repo, order, lines)
        # Last, so the counter row stays locked as briefly as possible.
        order.number = await next_po_number(uow.session, repo.tenant_id, today().year)
        uow.session.add(order)
        await commit(uow)
    return visible_order(order, ctx)


async def get_purchase_order(
    order_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps
) -> VisibleOrder:
    require(ctx, PURCHASE_ORDERS, "view")
    async with deps.uow() as uow:
        order = await PurchasingRepository(uow.session, tenant(ctx)).order(order_id)
    return visible_order(order, ctx)


async def list_purchase_orders(
    ctx: AccessContext, deps: InventoryDeps, filters: OrderFilters, *, limit: int,
    cursor: str | None,
) -> Page[VisibleOrder]:  # fmt: skip
    require(ctx, PURCHASE_ORDERS, "view")
    async with deps.uow() as uow:
        repo = PurchasingRepository(uow.session, tenant(ctx))
        page = await repo.orders(filters, limit=limit, cursor=cursor)
    return Page([visible_order(row, ctx) for row in page.items], page.next_cursor)


async def update_purchase_order(
    cmd: UpdateRecord, ctx: AccessContext, deps: InventoryDeps
) -> VisibleOrder:
    """Header fields and lines of a draft; a new currency re-totals the lines."""
    require(ctx, PURCHASE_ORDERS, "edit")
    check_writable_fields(ctx, PURCHASE_ORDERS, cmd.changes)
    changes = dict(cmd.changes)
    async with deps.uow() as uow:
        repo = PurchasingRepository(uow.session, tenant(ctx))
        order = await _changeable(repo, cmd.record_id, cmd.expected_version, (rules.DRAFT,))
        current = _header(order)
        lines = changes.pop("lines", None)
        kept = [LineSpec(li.product_id, li.quantity, li.unit_cost) for li in order.lines]
        rules.validate_order_header({**current, **changes}, kept if lines is None else lines)
        await _check_links(repo, changes)
        for name, value in changes.items():
            setattr(order, name, value)
        if lines is not None or "currency" in changes:
            await _set_lines(repo, order, kept if lines is None else lines)
        _touch(order, ctx)
        await commit(uow)
    return visible_order(order, ctx)


async def issue_purchase_order(
    order_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: InventoryDeps
) -> VisibleOrder:
    require(ctx, PURCHASE_ORDERS, "edit")
    async with deps.uow() as uow:
        repo = PurchasingRepository(uow.session, tenant(ctx))
        order = await _changeable(repo, order_id, expected_version, (rules.DRAFT,))
        if not order.lines:
            raise FailedPrecondition("a purchase order needs at least one line to be issued")
        order.status, order.issued_at = rules.ISSUED, utcnow()
        _touch(order, ctx)
        uow.record(order_event(rules.PO_ISSUED, order, ctx))
        await commit(uow)
    return visible_order(order, ctx)


async def cancel_purchase_order(
    order_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: InventoryDeps
) -> VisibleOrder:
    """Only before anything was received: received goods are in stock already."""
    require(ctx, PURCHASE_ORDERS, "edit")
    async with deps.uow() as uow:
        repo = PurchasingRepository(uow.session, tenant(ctx))
        order = await _changeable(repo, order_id, expected_version, rules.CANCELLABLE)
        order.status = rules.CANCELLED
        _touch(order, ctx)
        await commit(uow)
    return visible_order(order, ctx)


async def _changeable(
    repo: PurchasingRepository, order_id: uuid.UUID, expected_version: int, states: Sequence[str]
) -> PurchaseOrderRow:
    """The order, locked, if it is at the expected version and in one of ``states``."""
    order = await repo.order(order_id, for_update=True)
    if expected_version and expected_version != order.version:
        raise VersionConflict(f"the purchase order is at version {order.version}")
    if order.status not in states:
        raise FailedPrecondition(f"the purchase order is {order.status}")
    return order


async def _check_links(repo: PurchasingRepository, values: Mapping[str, Any]) -> VendorRow | None:
    """An active vendor and a usable warehouse of the tenant, when given."""
    vendor = None
    if values.get("vendor_id"):
        try:
            vendor = await repo.vendor(values["vendor_id"])
        except NotFound as exc:
            raise InvalidArgument.for_field("vendor_id", "no such vendor") from exc
        if not vendor.active:
            raise InvalidArgument.for_field("vendor_id", "the vendor is inactive")
    if values.get("warehouse_id") and not await repo.warehouse_usable(values["warehouse_id"]):
        raise InvalidArgument.for_field("warehouse_id", "no such active warehouse")
    return vendor


async def _set_lines(
    repo: PurchasingRepository, order: PurchaseOrderRow, lines: Sequence[LineSpec]
) -> None:
    """Replace the lines (products must be stock-tracked products of the tenant)
    and the total: a sum of the rounded line totals."""
    known = await repo.stock_products(li.product_id for li in lines)
    missing = [i for i, li in enumerate(lines) if li.product_id not in known]
    if missing:
        raise InvalidArgument.for_field(
            f"lines[{missing[0]}].product_id", "not a stock-tracked product of yours"
        )
    if order.lines:  # old lines go first (the relationship is replaced as a whole)
        order.lines = []
        await repo.session.flush()
    order.lines = [
        PurchaseOrderLineRow(
            id=uuid.uuid4(), tenant_id=order.tenant_id, position=i, product_id=li.product_id,
            quantity=li.quantity, unit_cost=li.unit_cost,
            line_total=rules.line_total(li.quantity, li.unit_cost, order.currency),
        )
        for i, li in enumerate(lines)
    ]  # fmt: skip
    order.total = sum((li.line_total for li in order.lines), start=Decimal(0))


def _header(order: PurchaseOrderRow) -> dict[str, Any]:
    names = ("vendor_id", "currency", "warehouse_id", "expected_date")
    return {name: getattr(order, name) for name in names}


def _touch(order: PurchaseOrderRow, ctx: AccessContext) -> None:
    order.updated_by = actor(ctx)
    order.updated_at = utcnow()  # a change of lines alone still bumps the version
