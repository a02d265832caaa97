"""Vendors' bills, matched against the purchase order and its receipts (3-way
match) when they are recorded.

Per line: ``quantity_mismatch`` when the quantity billed for the product so far
(earlier bills of the order and this one) differs from the quantity received;
``price_mismatch`` when the billed unit cost differs from the order's. Counting
earlier bills lets a vendor bill each delivery separately. The order row is
locked while a bill is recorded, so two bills of one order are judged one after
the other.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from crm_common.access import AccessContext, require
from crm_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
)
from crm_common.pagination import Page
from inventory.adapters.orm_purchasing import BillLineRow, BillRow, PurchaseOrderRow
from inventory.adapters.purchasing_repository import BillFilters, PurchasingRepository
from inventory.domain import purchasing as rules
from inventory.domain.purchasing import PURCHASE_ORDERS, RecordBill
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.purchasing_shared import (
    VisibleBill,
    bill_event,
    commit,
    today,
    visible_bill,
)
from inventory.service_layer.shared import actor, tenant

MAX_REFERENCE = 100


async def record_bill(cmd: RecordBill, ctx: AccessContext, deps: InventoryDeps) -> VisibleBill:
    require(ctx, PURCHASE_ORDERS, "create")
    reference = cmd.vendor_reference.strip()
    _check_input(reference, cmd)
    async with deps.uow() as uow:
        repo = PurchasingRepository(uow.session, tenant(ctx))
        order = await _billable_order(repo, cmd)
        if await repo.reference_taken(order.vendor_id, reference.lower()):
            raise AlreadyExists("this vendor's bill was recorded already", "vendor_reference")
        billed = await repo.billed_so_far(order.id)
        bill = BillRow(
            id=uuid.uuid4(), tenant_id=order.tenant_id, vendor_id=order.vendor_id,
            purchase_order_id=order.id, vendor_reference=reference,
            vendor_reference_key=reference.lower(), bill_date=cmd.bill_date or today(),
            currency=order.currency, created_by=actor(ctx), updated_by=actor(ctx),
        )  # fmt: skip
        bill.lines = _matched_lines(bill, order, cmd, billed)
        bill.total = sum((line.line_total for line in bill.lines), start=Decimal(0))
        flagged = any(li.quantity_mismatch or li.price_mismatch for li in bill.lines)
        bill.status = rules.MISMATCH if flagged else rules.MATCHED
        uow.session.add(bill)
        uow.record(bill_event(rules.BILL_RECORDED, bill, ctx))
        if flagged:
            uow.record(bill_event(rules.BILL_MISMATCH, bill, ctx))
        await commit(uow)
    return visible_bill(bill, ctx)


async def get_bill(bill_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps) -> VisibleBill:
    require(ctx, PURCHASE_ORDERS, "view")
    async with deps.uow() as uow:
        bill = await PurchasingRepository(uow.session, tenant(ctx)).bill(bill_id)
    return visible_bill(bill, ctx)


async def list_bills(
    ctx: AccessContext, deps: InventoryDeps, filters: BillFilters, *, limit: int,
    cursor: str | None,
) -> Page[VisibleBill]:  # fmt: skip
    require(ctx, PURCHASE_ORDERS, "view")
    async with deps.uow() as uow:
        page = await PurchasingRepository(uow.session, tenant(ctx)).bills(
            filters, limit=limit, cursor=cursor
        )
    return Page([visible_bill(row, ctx) for row in page.items], page.next_cursor)


def _check_input(reference: str, cmd: RecordBill) -> None:
    found = rules.line_violations(cmd.lines)
    if not reference:
        found.insert(0, FieldViolation("vendor_reference", "the vendor's bill number"))
    elif len(reference) > MAX_REFERENCE:
        found.insert(0, FieldViolation("vendor_reference", f"at most {MAX_REFERENCE}"))
    if not cmd.lines:
        found.append(FieldViolation("lines", "a bill needs at least one line"))
    if found:
        raise rules.invalid(found, "bill")


async def _billable_order(repo: PurchasingRepository, cmd: RecordBill) -> PurchaseOrderRow:
    """The order, locked; a draft or cancelled one has nothing to bill."""
    try:
        order = await repo.order(cmd.purchase_order_id, for_update=True)
    except NotFound as exc:
        raise InvalidArgument.for_field("purchase_order_id", "no such purchase order") from exc
    if cmd.vendor_id and cmd.vendor_id != order.vendor_id:
        raise InvalidArgument.for_field("vendor_id", "not the purchase order's vendor")
    if order.status not in rules.BILLABLE:
        raise FailedPrecondition(f"the purchase order is {order.status}; nothing to bill")
    return order


def _matched_lines(
    bill: BillRow, order: PurchaseOrderRow, cmd: RecordBill, billed: dict[uuid.UUID, Decimal]
) -> list[BillLineRow]:
    ordered = {line.product_id: line for line in order.lines}
    missing = [i for i, li in enumerate(cmd.lines) if li.product_id not in ordered]
    if missing:
        field = f"lines[{missing[0]}].product_id"
        raise InvalidArgument.for_field(field, "not on the purchase order")
    rows = []
    for i, spec in enumerate(cmd.lines):
        line = ordered[spec.product_id]
        so_far = billed.get(spec.product_id, Decimal(0)) + spec.quantity
        match = rules.match_line(
            billed_so_far=so_far, received=line.received_quantity,
            unit_cost=spec.unit_cost, ordered_unit_cost=line.unit_cost,
        )  # fmt: skip
        rows.append(
            BillLineRow(
                id=uuid.uuid4(), tenant_id=bill.tenant_id, position=i,
                product_id=spec.product_id, quantity=spec.quantity, unit_cost=spec.unit_cost,
                line_total=rules.line_total(spec.quantity, spec.unit_cost, bill.currency),
                ordered_unit_cost=line.unit_cost, received_quantity=line.received_quantity,
                billed_quantity=so_far, quantity_mismatch=match.quantity_mismatch,
                price_mismatch=match.price_mismatch,
            )
        )  # fmt: skip
    return rows
