"""Sales orders: made from an accepted quote, confirmed by the seller, then
reserved (or not) by inventory. Pure rules.

``draft -> confirmed -> reserved | insufficient_stock``; ``cancelled`` from
draft, confirmed or insufficient_stock. A reserved order is not cancelled here:
inventory holds stock for it and has no "release" answer yet, so cancelling would
leave stock reserved for nothing (a later release event can open this).
"""

from __future__ import annotations

from crm_common.errors import FailedPrecondition

ORDERS = "orders"  # the access-control module of sales orders
DRAFT, CONFIRMED, RESERVED = "draft", "confirmed", "reserved"
INSUFFICIENT_STOCK, CANCELLED = "insufficient_stock", "cancelled"
STATUSES = (DRAFT, CONFIRMED, RESERVED, INSUFFICIENT_STOCK, CANCELLED)
CANCELLABLE = (DRAFT, CONFIRMED, INSUFFICIENT_STOCK)

# Subjects of order events (payload SalesOrderEvent in quotes.proto).
ORDER_CREATED = "crm.sales.order.created"
ORDER_CONFIRMED = "crm.sales.order.confirmed"
ORDER_CANCELLED = "crm.sales.order.cancelled"
ORDER_STATUS_CHANGED = "crm.sales.order.status_changed"

# What inventory answers a confirmed order with (payloads in stock_events.proto).
STOCK_RESERVED = "crm.inventory.stock.reserved"
STOCK_INSUFFICIENT = "crm.inventory.stock.insufficient"
STOCK_OUTCOME = {STOCK_RESERVED: RESERVED, STOCK_INSUFFICIENT: INSUFFICIENT_STOCK}


def check_confirmable(status: str) -> None:
    if status != DRAFT:
        raise FailedPrecondition(f"the order is {status}; only a draft order is confirmed")


def check_cancellable(status: str) -> None:
    if status == RESERVED:
        raise FailedPrecondition("the order's stock is reserved; it cannot be cancelled here")
    if status not in CANCELLABLE:
        raise FailedPrecondition(f"the order is {status} already")


def follows_stock_answer(status: str) -> bool:
    """Inventory's answer moves only a confirmed order: a redelivered or late
    answer (the order reserved, cancelled meanwhile) changes nothing."""
    return status == CONFIRMED
