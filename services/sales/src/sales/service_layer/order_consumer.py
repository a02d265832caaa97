"""Inventory's answer to a confirmed order moves it to reserved or
insufficient_stock.

Runs inside the durable consumer's transaction (``crm_common.events.consumer``):
the inbox row makes a redelivered event a no-op, and the order moves only from
confirmed, so a late or repeated answer changes nothing either. No caller here:
the tenant comes from the envelope, and every query is scoped to it.
"""

from __future__ import annotations

import logging
import uuid

import sqlalchemy as sa

from crm.common.v1 import events_pb2 as common_events
from crm.inventory.v1 import stock_events_pb2
from crm_common.db import UnitOfWork
from crm_common.events.envelope import unpack_payload
from sales.adapters.orm_quotes import SalesOrderLineRow, SalesOrderRow
from sales.domain import orders as rules
from sales.service_layer.orders import history_row
from sales.service_layer.quote_shared import order_event

CONSUMER = "sales-order-stock"
SUBJECTS = [rules.STOCK_RESERVED, rules.STOCK_INSUFFICIENT]
log = logging.getLogger("sales.orders")


async def on_stock_answer(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
    to_status = rules.STOCK_OUTCOME.get(envelope.type)
    if to_status is None:
        return
    payload: stock_events_pb2.StockReserved | stock_events_pb2.StockInsufficient
    if to_status == rules.RESERVED:
        payload = unpack_payload(envelope, stock_events_pb2.StockReserved)
    else:
        payload = unpack_payload(envelope, stock_events_pb2.StockInsufficient)
    try:
        order_id, tenant_id = uuid.UUID(payload.order_id), uuid.UUID(envelope.tenant_id)
    except ValueError:
        log.warning("stock answer %s names no order id; ignored", envelope.id)
        return
    order = await uow.session.scalar(
        sa.select(SalesOrderRow)
        .where(SalesOrderRow.id == order_id, SalesOrderRow.tenant_id == tenant_id)
        .with_for_update()
    )
    if order is None or not rules.follows_stock_answer(order.status):
        log.info("stock answer %s for order %s ignored", envelope.id, payload.order_id)
        return
    from_status, order.status, order.updated_by = order.status, to_status, None
    reason = _reason(payload)
    uow.session.add(history_row(order, from_status, to_status, reason))
    lines = list(
        await uow.session.scalars(
            sa.select(SalesOrderLineRow)
            .where(SalesOrderLineRow.order_id == order.id, SalesOrderLineRow.tenant_id == tenant_id)
            .order_by(SalesOrderLineRow.position)
        )
    )
    uow.record(
        order_event(rules.ORDER_STATUS_CHANGED, order, lines, None,
                    from_status=from_status, reason=reason)
    )  # fmt: skip


def _reason(
    payload: stock_events_pb2.StockReserved | stock_events_pb2.StockInsufficient,
) -> str:
    if isinstance(payload, stock_events_pb2.StockReserved):
        return "stock reserved by inventory"
    short = ", ".join(f"{m.product_id}: {m.missing} missing" for m in payload.missing)
    return f"insufficient stock ({short})" if short else "insufficient stock"
