"""The events stock publishes about orders: answers to a confirmed order
(payloads of stock_events.proto, envelope subject id = order id) and releases."""

from __future__ import annotations

import uuid
from decimal import Decimal

from crm.inventory.v1 import stock_events_pb2 as answers
from crm.inventory.v1 import stock_pb2
from crm_common.events.envelope import NewEvent
from inventory.domain import stock as rules
from inventory.domain import stock_allocation as allocation
from inventory.domain.stock_commands import ConfirmedOrder


def stock_line(
    product_id: uuid.UUID, quantity: Decimal, warehouse_id: uuid.UUID | None, line_id: str
) -> answers.StockLine:
    return answers.StockLine(
        product_id=str(product_id), quantity=rules.quantity_text(quantity),
        warehouse_id=str(warehouse_id or ""), order_line_id=line_id,
    )  # fmt: skip


def reserved(order: ConfirmedOrder, takes: list[allocation.Take]) -> answers.StockReserved:
    """Reserved units per line and warehouse; lines needing no stock (services)
    are listed without a warehouse."""
    taken = {take.line for take in takes}
    lines = [
        stock_line(t.product_id, t.quantity, t.warehouse_id, order.lines[t.line].line_id)
        for t in takes
    ]
    lines += [
        stock_line(ln.product_id, ln.quantity, None, ln.line_id)
        for i, ln in enumerate(order.lines)
        if i not in taken
    ]
    return answers.StockReserved(order_id=str(order.order_id), lines=lines)


def insufficient(
    order: ConfirmedOrder, short: list[allocation.Shortage]
) -> answers.StockInsufficient:
    """Nothing was reserved: the lines as asked, and what each product lacks."""
    return answers.StockInsufficient(
        order_id=str(order.order_id),
        lines=[stock_line(ln.product_id, ln.quantity, None, ln.line_id) for ln in order.lines],
        missing=[
            answers.StockShortage(
                product_id=str(s.product_id), requested=rules.quantity_text(s.requested),
                available=rules.quantity_text(s.available), missing=rules.quantity_text(s.missing),
            )
            for s in short
        ],
    )  # fmt: skip


def answer(
    tenant_id: uuid.UUID,
    order: ConfirmedOrder,
    payload: answers.StockReserved | answers.StockInsufficient,
) -> NewEvent:
    if isinstance(payload, answers.StockReserved):
        subject = rules.STOCK_RESERVED
    else:
        subject = rules.STOCK_INSUFFICIENT
    return NewEvent(subject, str(tenant_id), str(order.order_id), payload)


def released(tenant_id: uuid.UUID, order_id: uuid.UUID, lines: list[answers.StockLine]) -> NewEvent:
    payload = stock_pb2.StockReleased(order_id=str(order_id), lines=lines)
    return NewEvent(rules.STOCK_RELEASED, str(tenant_id), str(order_id), payload)
