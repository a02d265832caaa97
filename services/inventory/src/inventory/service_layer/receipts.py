"""Receiving goods of a purchase order: a receipt note, stock on hand raised
through the stock ledger, the order's status and event, in one transaction.

The order row is locked first: concurrent receipts of one order take turns, and
each judges the open quantities as the one before it left them, so together
they can never take more than was ordered (a check constraint backs it up).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from crm_common.access import AccessContext, require
from crm_common.db import utcnow
from crm_common.errors import FailedPrecondition, InvalidArgument
from inventory.adapters.orm_purchasing import ReceiptLineRow, ReceiptNoteRow
from inventory.adapters.purchasing_repository import PurchasingRepository
from inventory.domain import purchasing as rules
from inventory.domain.purchasing import PURCHASE_ORDERS, ReceiveGoods
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.purchasing_shared import (
    VisibleOrder,
    commit,
    order_event,
    visible_order,
)
from inventory.service_layer.shared import actor, tenant
from inventory.service_layer.stock_ledger import receive_stock

RECEIPT_REFERENCE = "receipt_note"  # reference_type of the stock movements


@dataclass(frozen=True)
class Received:
    receipt: ReceiptNoteRow
    order: VisibleOrder


async def receive_purchase_order(
    cmd: ReceiveGoods, ctx: AccessContext, deps: InventoryDeps
) -> Received:
    require(ctx, PURCHASE_ORDERS, "edit")
    async with deps.uow() as uow:
        repo = PurchasingRepository(uow.session, tenant(ctx))
        order = await repo.order(cmd.purchase_order_id, for_update=True)
        if order.status not in rules.RECEIVABLE:
            raise FailedPrecondition(f"the purchase order is {order.status}; issue it first")
        plan = rules.receipt_plan(order.lines, cmd.lines)
        warehouse_id = cmd.warehouse_id or order.warehouse_id
        if not await repo.warehouse_usable(warehouse_id):  # the order's may be closed by now
            raise InvalidArgument.for_field("warehouse_id", "no such active warehouse")
        receipt = ReceiptNoteRow(
            id=uuid.uuid4(), tenant_id=order.tenant_id, purchase_order_id=order.id,
            warehouse_id=warehouse_id, received_at=utcnow(), received_by=actor(ctx),
        )  # fmt: skip
        receipt.lines = [
            ReceiptLineRow(
                id=uuid.uuid4(), tenant_id=order.tenant_id, line_id=line.id, position=i,
                product_id=line.product_id, quantity=quantity,
            )
            for i, (line, quantity) in enumerate(plan)
        ]  # fmt: skip
        for line, quantity in plan:
            line.received_quantity += quantity
        uow.session.add(receipt)
        # By product: the stock ledger locks levels in that order too.
        for line, quantity in sorted(plan, key=lambda p: p[0].product_id):
            await receive_stock(
                uow, tenant_id=order.tenant_id, product_id=line.product_id,
                warehouse_id=warehouse_id, quantity=quantity, reference_type=RECEIPT_REFERENCE,
                reference_id=receipt.id, actor_id=actor(ctx),
            )  # fmt: skip
        order.status = rules.status_after_receipt(order.lines)
        order.updated_by, order.updated_at = actor(ctx), utcnow()
        order.receipts.append(receipt)
        uow.record(order_event(rules.PO_RECEIVED, order, ctx, receipt))
        await commit(uow)
    return Received(receipt, visible_order(order, ctx))
