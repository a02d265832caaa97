"""Billing's jobs and consumers against real PostgreSQL and NATS: the overdue
check run twice at once marks each invoice once with one event; a confirmed
order delivered twice drafts one invoice with the order's figures; a won deal
drafts one invoice unless the deal is invoiced already."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest_asyncio
import sqlalchemy as sa
from nats.js import JetStreamContext

from crm.sales.v1 import deals_pb2, quotes_pb2
from crm_common.access import AccessContext
from crm_common.events.consumer import EventConsumer
from crm_common.events.envelope import NewEvent, build_envelope
from crm_common.events.streams import connect_nats, ensure_streams
from crm_common.events.tables import OutboxMessage
from crm_devstack.infra import Infra
from inventory.adapters.billing_repository import InvoiceFilters
from inventory.domain.commands import UpdateRecord
from inventory.domain.invoices import InvoiceAction, InvoiceDraft, LineSpec
from inventory.service_layer import invoices, overdue, sales_events
from inventory.service_layer.deps import InventoryDeps


def admin() -> AccessContext:
    return AccessContext(
        tenant_id=str(uuid.uuid4()), user_id=str(uuid.uuid4()), all_records=True,
        permissions={"*": frozenset({"*"})},
    )  # fmt: skip


@pytest_asyncio.fixture(scope="module")
async def js(infra: Infra) -> AsyncIterator[JetStreamContext]:
    client = await connect_nats(infra.nats_url, name="inventory-billing-events")
    await ensure_streams(client.jetstream())
    yield client.jetstream()
    await client.close()


async def count_events(deps: InventoryDeps, tenant: str, subject: str) -> int:
    async with deps.uow() as uow:
        stmt = sa.select(sa.func.count()).where(
            OutboxMessage.subject == subject, OutboxMessage.tenant_id == tenant
        )
        return int(await uow.session.scalar(stmt) or 0)


async def tenant_invoices(deps: InventoryDeps, ctx: AccessContext, **filters: uuid.UUID):
    page = await invoices.list_invoices(ctx, deps, InvoiceFilters(**filters), limit=50, cursor=None)
    return page.items


async def test_overdue_check_twice_at_once_marks_each_invoice_once(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    past = date.today() - timedelta(days=3)
    ids = []
    for _ in range(3):
        cmd = InvoiceDraft(uuid.uuid4(), "EUR", (LineSpec("Work", D(1), D(10)),))
        invoice = await invoices.create_invoice(cmd, ctx, inventory_deps)
        await invoices.issue_invoice(InvoiceAction(invoice.id), ctx, inventory_deps)
        ids.append(invoice.id)
    async with inventory_deps.uow() as uow:  # as if issued long ago
        await uow.session.execute(
            sa.text("UPDATE invoices SET due_date = :d WHERE id = ANY(:ids)"),
            {"d": past, "ids": ids},
        )
        await uow.commit()
    tomorrow = date.today() + timedelta(days=1)
    for _ in range(2):  # twice, each time two "replicas" at once
        await asyncio.gather(
            *(overdue.mark_overdue(inventory_deps.uow, tomorrow) for _ in range(2))
        )
    statuses = {i.status for i in await tenant_invoices(inventory_deps, ctx)}
    assert statuses == {"overdue"}
    assert await count_events(inventory_deps, ctx.tenant_id, "crm.inventory.invoice.overdue") == 3


def order_event(tenant: str, order_id: uuid.UUID, account_id: uuid.UUID) -> NewEvent:
    taxes = [
        quotes_pb2.OrderLineTax(name="BTW", rate="21", amount="70.88"),
        quotes_pb2.OrderLineTax(name="Eco", rate="2", amount="8.17", compound=True),
    ]
    line = quotes_pb2.OrderLineItem(
        line_id=str(uuid.uuid4()), product_id=str(uuid.uuid4()), quantity="1",
        description="Fridge", list_price="450.00", unit_price="337.5", discount_percent="25",
        net_amount="337.50", tax_total="79.05", gross_total="416.55", taxes=taxes,
    )  # fmt: skip
    payload = quotes_pb2.SalesOrderEvent(
        order_id=str(order_id), number="SO-2026-00007", account_id=str(account_id),
        status="confirmed", currency="EUR", net_total="337.50", gross_total="416.55",
        lines=[line],
    )  # fmt: skip
    return NewEvent(sales_events.ORDER_CONFIRMED, tenant, str(order_id), payload)


async def deliver(js: JetStreamContext, deps: InventoryDeps, *events: NewEvent, copies: int = 2):
    """Each event published ``copies`` times under different message ids (JetStream
    keeps them all: a redelivery), then consumed by a fresh durable consumer."""
    for event in events:
        data = build_envelope(event, source="sales").SerializeToString()
        for n in range(copies):
            await js.publish(event.type, data, headers={"Nats-Msg-Id": f"{event.id}-{n}"})
    consumer = EventConsumer(
        f"test-billing-{uuid.uuid4().hex[:8]}", sales_events.SUBJECTS, sales_events.handle,
        deps.uow, lambda: js,
    )  # fmt: skip
    for _ in range(30):  # bounded: until a fetch finds nothing left
        with contextlib.suppress(TimeoutError):
            if await consumer.process_batch(timeout=1.0) == 0:
                break


async def test_a_redelivered_order_event_drafts_once(
    inventory_deps: InventoryDeps, js: JetStreamContext
) -> None:
    ctx, order_id, account = admin(), uuid.uuid4(), uuid.uuid4()
    first = order_event(ctx.tenant_id, order_id, account)
    again = order_event(ctx.tenant_id, order_id, account)  # another event id, same order
    await deliver(js, inventory_deps, first, again)
    found = await tenant_invoices(inventory_deps, ctx, order_id=order_id)
    assert len(found) == 1
    invoice = found[0]
    assert (invoice.status, invoice.source, invoice.account_id) == ("draft", "order", account)
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D("337.50"), D("79.05"),
                                                                    D("416.55"))  # fmt: skip
    assert [D(t["amount"]) for t in invoice.lines[0].taxes] == [D("70.88"), D("8.17")]
    drafted = await count_events(inventory_deps, ctx.tenant_id, "crm.inventory.invoice.drafted")
    assert drafted == 1


def won(tenant: str, deal_id: uuid.UUID, account: uuid.UUID, amount: str) -> NewEvent:
    payload = deals_pb2.DealStageChanged(
        deal_id=str(deal_id), account_id=str(account), to_status="won", amount=amount,
        currency="USD", probability=100,
    )  # fmt: skip
    return NewEvent(sales_events.DEAL_WON, tenant, str(deal_id), payload)


async def test_a_won_deal_drafts_one_invoice_unless_invoiced(
    inventory_deps: InventoryDeps, js: JetStreamContext
) -> None:
    ctx, account = admin(), uuid.uuid4()
    deal, no_amount, invoiced = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    by_hand = InvoiceDraft(account, "USD", (LineSpec("x", D(1), D(5)),), deal_id=invoiced)
    await invoices.create_invoice(by_hand, ctx, inventory_deps)
    await deliver(
        js, inventory_deps, won(ctx.tenant_id, deal, account, "1234.50"),
        won(ctx.tenant_id, no_amount, account, ""), won(ctx.tenant_id, invoiced, account, "9.00"),
    )  # fmt: skip
    drafted = await tenant_invoices(inventory_deps, ctx, deal_id=deal)
    assert [(i.source, i.total, i.currency) for i in drafted] == [("deal", D("1234.50"), "USD")]
    assert await tenant_invoices(inventory_deps, ctx, deal_id=no_amount) == []
    assert len(await tenant_invoices(inventory_deps, ctx, deal_id=invoiced)) == 1
    # The drafted invoice is a normal draft: editable, then issued.
    changed = await invoices.update_invoice(
        UpdateRecord(drafted[0].id, {"notes": "Deal won in Q4"}), ctx, inventory_deps
    )
    assert changed.notes == "Deal won in Q4"
    issued = await invoices.issue_invoice(InvoiceAction(changed.id), ctx, inventory_deps)
    assert issued.number == f"INV-{datetime.now(UTC).year}-000001"
