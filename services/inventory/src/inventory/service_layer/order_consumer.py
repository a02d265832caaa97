"""The durable consumer ``inventory-order-stock``: a confirmed sales order
reserves stock, a cancelled one releases it.

Runs inside the consumer's transaction (``crm_common.events.consumer``): the
inbox row makes a redelivered event a no-op, and the order's unique reservation
key (``reservations._claim``) makes a repeated confirmation reserve once even
under another event id. No caller here: the tenant comes from the envelope and
every query is scoped to it.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal, InvalidOperation

from crm.common.v1 import events_pb2 as common_events
from crm.sales.v1 import quotes_pb2
from crm_common.db import UnitOfWork
from crm_common.events.envelope import unpack_payload
from inventory.domain import stock as rules
from inventory.domain.stock_commands import ConfirmedOrder, OrderLine
from inventory.service_layer.reservations import release_order, reserve_order

CONSUMER = "inventory-order-stock"
SUBJECTS = [rules.ORDER_CONFIRMED, rules.ORDER_CANCELLED]
log = logging.getLogger("inventory.stock")


async def on_order_event(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
    if envelope.type not in SUBJECTS:
        return
    event = unpack_payload(envelope, quotes_pb2.SalesOrderEvent)
    try:
        tenant_id = uuid.UUID(envelope.tenant_id)
        order = confirmed_order(event)
    except (ValueError, InvalidOperation):
        # A malformed event can never succeed: retrying would only dead-letter it later.
        log.warning("order event %s is malformed; ignored", envelope.id)
        return
    if envelope.type == rules.ORDER_CONFIRMED:
        await reserve_order(uow, tenant_id, order)
    else:
        await release_order(uow, tenant_id, order.order_id)


def confirmed_order(event: quotes_pb2.SalesOrderEvent) -> ConfirmedOrder:
    """ValueError / InvalidOperation when an id or quantity is not one."""
    lines = tuple(
        OrderLine(item.line_id, uuid.UUID(item.product_id), Decimal(item.quantity))
        for item in event.lines
    )
    if any(not line.quantity.is_finite() or line.quantity <= 0 for line in lines):
        raise ValueError("quantities must be positive")
    account = uuid.UUID(event.account_id) if event.account_id else None
    return ConfirmedOrder(uuid.UUID(event.order_id), event.number, account, lines)
