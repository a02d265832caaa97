"""Sales orders: made from an accepted quote, confirmed by the seller, then
reserved (or not) by inventory. Pure rules.

``draft -> confirmed -> reserved | insufficient_stock``; ``cancelled`` from
draft, confirmed, reserved or insufficient_stock. Cancelling a reserved order is
safe: inventory consumes ``crm.sales.order.cancelled`` and releases the order's
reservations (release movements in its ledger); a cancel that overtakes the
confirmation makes inventory answer nothing for the order.
"""

from __future__ import annotations

from crm_common.errors import FailedPrecondition

ORDERS = "orders"  # the access-control module of sales orders
DRAFT, CONFIRMED, RESERVED = "draft", "confirmed", "reserved"
INSUFFICIENT_STOCK, CANCELLED = "insufficient_stock", "cancelled"
STATUSES = (DRAFT, CONFIRMED, RESERVED, INSUFFICIENT_STOCK, CANCELLED)
CANCELLABLE = (DRAFT, CONFIRMED, RESERVED, INSUFFICIENT_STOCK)

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
    if status not in CANCELLABLE:
        raise FailedPrecondition(f"the order is {status} already")


def follows_stock_answer(status: str) -> bool:
    """Inventory's answer moves only a confirmed order: a redelivered or late
    answer (the order reserved, cancelled meanwhile) changes nothing."""
    return status == CONFIRMED
