"""Draft invoices from sales events (durable consumer ``inventory-billing-sales``).

- ``crm.sales.order.confirmed`` drafts an invoice with the order's lines, priced
  again by the same rule from the order's list prices, discounts and taxes (so
  the figures are the order's). Once per order: skipped when a live invoice
  names the order; a unique index on (tenant, order) for order drafts settles
  two deliveries racing.
- ``crm.sales.deal.won`` drafts a one-line invoice for the deal's amount, when
  the deal has an amount and an account, and no live invoice names the deal
  yet (neither its own nor one of its orders' invoices); once per deal, backed
  by a unique index on (tenant, deal) for deal drafts. An order confirmed after
  the deal was won still drafts its own invoice.

Runs inside the consumer's transaction: the inbox makes a redelivery a no-op.
No caller: the tenant comes from the envelope and scopes every query.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal, InvalidOperation

from crm.common.v1 import events_pb2 as common_events
from crm.sales.v1 import deals_pb2, quotes_pb2
from crm_common.db import UnitOfWork
from crm_common.errors import InvalidArgument
from crm_common.events.envelope import unpack_payload
from inventory.adapters.billing_repository import BillingRepository
from inventory.domain import invoices as rules
from inventory.domain.invoices import InvoiceDraft, LineSpec, TaxSpec
from inventory.service_layer.invoices import stage_draft

CONSUMER = "inventory-billing-sales"
ORDER_CONFIRMED = "crm.sales.order.confirmed"
DEAL_WON = "crm.sales.deal.won"
SUBJECTS = [ORDER_CONFIRMED, DEAL_WON]
log = logging.getLogger("inventory.billing")


async def handle(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
    try:
        if envelope.type == ORDER_CONFIRMED:
            await _order_confirmed(uow, envelope)
        elif envelope.type == DEAL_WON:
            await _deal_won(uow, envelope)
    except (ValueError, InvalidOperation, InvalidArgument) as exc:
        # A payload no invoice can be drafted from: retrying would not help.
        log.warning("%s %s drafts no invoice: %s", envelope.type, envelope.id, exc)


async def _order_confirmed(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
    order = unpack_payload(envelope, quotes_pb2.SalesOrderEvent)
    tenant_id, order_id = uuid.UUID(envelope.tenant_id), uuid.UUID(order.order_id)
    if await BillingRepository(uow.session, tenant_id).invoiced(
        rules.FROM_ORDER, order_id=order_id
    ):
        return
    draft = InvoiceDraft(
        account_id=uuid.UUID(order.account_id), currency=order.currency,
        lines=tuple(_order_line(item) for item in order.lines), order_id=order_id,
        deal_id=uuid.UUID(order.deal_id) if order.deal_id else None,
        notes=f"Sales order {order.number}",
    )  # fmt: skip
    stage_draft(uow, tenant_id, draft, rules.FROM_ORDER, None)


def _order_line(item: quotes_pb2.OrderLineItem) -> LineSpec:
    taxes = tuple(TaxSpec(t.name, Decimal(t.rate), t.inclusive, t.compound) for t in item.taxes)
    return LineSpec(
        description=item.description or f"Product {item.product_id}",
        quantity=Decimal(item.quantity),
        unit_price=Decimal(item.list_price or "0"),
        discount=Decimal(item.discount_percent or "0"),
        taxes=taxes,
        product_id=uuid.UUID(item.product_id) if item.product_id else None,
    )


async def _deal_won(uow: UnitOfWork, envelope: common_events.Envelope) -> None:
    deal = _deal_payload(envelope)
    if not deal.amount or not deal.account_id:
        log.info("won deal %s has no amount or account: no invoice", deal.deal_id)
        return
    tenant_id, deal_id = uuid.UUID(envelope.tenant_id), uuid.UUID(deal.deal_id)
    if await BillingRepository(uow.session, tenant_id).invoiced(rules.FROM_DEAL, deal_id=deal_id):
        return
    line = LineSpec(f"Deal {deal.deal_id}", Decimal(1), Decimal(deal.amount))
    draft = InvoiceDraft(
        account_id=uuid.UUID(deal.account_id), currency=deal.currency, lines=(line,),
        deal_id=deal_id, notes="Won deal",
    )  # fmt: skip
    stage_draft(uow, tenant_id, draft, rules.FROM_DEAL, None)


def _deal_payload(
    envelope: common_events.Envelope,
) -> deals_pb2.DealStageChanged | deals_pb2.DealChanged:
    """Sales publishes deal.won with DealStageChanged; DealChanged is accepted too."""
    if envelope.payload.Is(deals_pb2.DealStageChanged.DESCRIPTOR):
        return unpack_payload(envelope, deals_pb2.DealStageChanged)
    return unpack_payload(envelope, deals_pb2.DealChanged)
