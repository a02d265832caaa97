"""Races against real PostgreSQL (and NATS for the consumer): gapless numbers under
concurrent creates, one order however many accept at once, and inventory's stock
answer handled once however often it is delivered."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import pytest_asyncio
import sqlalchemy as sa
from nats.js import JetStreamContext

from crm.inventory.v1 import stock_events_pb2
from crm_common.access import AccessContext
from crm_common.errors import FailedPrecondition
from crm_common.events.consumer import EventConsumer
from crm_common.events.envelope import NewEvent, build_envelope
from crm_common.events.streams import connect_nats, ensure_streams
from crm_common.events.tables import OutboxMessage
from crm_common.pricing import line_total
from crm_devstack.infra import Infra
from sales.adapters.orm_quotes import OrderStatusHistoryRow, SalesOrderRow
from sales.domain.commands import CreateRecord
from sales.domain.quote_commands import CreateQuote, OrderAction, QuoteAction
from sales.domain.quotes import LineInput, LineSpec, PricedLine, PriceRequest
from sales.service_layer import accounts, order_consumer, orders, quote_status, quotes
from sales.service_layer.deps import SalesDeps

MODULES = ("quotes", "orders", "accounts")
ALL = frozenset({"view", "create", "edit", "delete"})


class FlatPrices:
    """Every product costs 10.00, no taxes."""

    async def price(self, r: PriceRequest) -> PricedLine:
        totals = line_total(
            Decimal(10), r.quantity, r.currency, discount_percent=r.discount_percent
        )
        return PricedLine(LineSpec(r.product_id, r.quantity, r.discount_percent), totals, None)


def admin() -> AccessContext:
    return AccessContext(
        tenant_id=str(uuid.uuid4()), user_id=str(uuid.uuid4()), all_records=True,
        permissions=dict.fromkeys(MODULES, ALL),
    )  # fmt: skip


@pytest_asyncio.fixture(scope="module")
async def js(infra: Infra) -> AsyncIterator[JetStreamContext]:
    client = await connect_nats(infra.nats_url, name="sales-quote-races")
    await ensure_streams(client.jetstream())
    yield client.jetstream()
    await client.close()


async def _sent_quote(deps: SalesDeps, ctx: AccessContext) -> uuid.UUID:
    account = await accounts.create_account(CreateRecord({"name": "Acme"}), ctx, deps)
    header = {"name": "Q", "account_id": account.row.id, "currency": "EUR"}
    lines = (LineInput(str(uuid.uuid4()), "2"),)
    quote = await quotes.create_quote(CreateQuote(header, lines), ctx, deps)
    await quote_status.send_quote(QuoteAction(quote.row.id), ctx, deps)
    return quote.row.id


async def test_twenty_concurrent_creates_get_gapless_numbers(deps: SalesDeps) -> None:
    deps, ctx = dataclasses.replace(deps, pricing=FlatPrices()), admin()
    account = await accounts.create_account(CreateRecord({"name": "Acme"}), ctx, deps)
    header = {"name": "Q", "account_id": account.row.id, "currency": "EUR"}
    lines = (LineInput(str(uuid.uuid4())),)
    created = await asyncio.gather(
        *(quotes.create_quote(CreateQuote(header, lines), ctx, deps) for _ in range(20))
    )
    year = date.today().year
    assert sorted(q.row.number for q in created) == [f"Q-{year}-{n:05d}" for n in range(1, 21)]


async def test_concurrent_accepts_make_exactly_one_order(deps: SalesDeps) -> None:
    deps, ctx = dataclasses.replace(deps, pricing=FlatPrices()), admin()
    quote_id = await _sent_quote(deps, ctx)
    outcomes = await asyncio.gather(
        *(quote_status.accept_quote(QuoteAction(quote_id), ctx, deps) for _ in range(5)),
        return_exceptions=True,
    )
    won = [o for o in outcomes if isinstance(o, quote_status.Accepted)]
    assert len(won) == 1
    assert all(isinstance(o, FailedPrecondition) for o in outcomes if o not in won)
    async with deps.uow() as uow:
        stmt = sa.select(sa.func.count()).where(SalesOrderRow.quote_id == quote_id)
        assert await uow.session.scalar(stmt) == 1
    assert won[0].order.row.number == f"SO-{date.today().year}-00001"


async def test_stock_answer_is_handled_once_per_event(
    deps: SalesDeps, js: JetStreamContext
) -> None:
    deps, ctx = dataclasses.replace(deps, pricing=FlatPrices()), admin()
    accepted = await quote_status.accept_quote(QuoteAction(await _sent_quote(deps, ctx)), ctx, deps)
    order_id = accepted.order.row.id
    await orders.confirm_order(OrderAction(order_id), ctx, deps)
    payload = stock_events_pb2.StockReserved(order_id=str(order_id))
    event = NewEvent("crm.inventory.stock.reserved", ctx.tenant_id, str(order_id), payload)
    data = build_envelope(event, source="inventory").SerializeToString()
    # Published twice under different message ids: JetStream keeps both (a redelivery).
    for msg_id in (event.id, f"{event.id}-again"):
        await js.publish(event.type, data, headers={"Nats-Msg-Id": msg_id})
    consumer = EventConsumer(
        f"test-stock-{uuid.uuid4().hex[:8]}", order_consumer.SUBJECTS,
        order_consumer.on_stock_answer, deps.uow, lambda: js,
    )  # fmt: skip
    for _ in range(30):  # bounded: read until both deliveries are through
        with contextlib.suppress(TimeoutError):  # a fetch that timed out before it began
            if await consumer.process_batch(timeout=1.0) == 0 and await _reserved(deps, order_id):
                break
    found = await orders.get_order(order_id, ctx, deps)
    assert found.row.status == "reserved"
    assert [h.to_status for h in found.history] == ["draft", "confirmed", "reserved"]
    async with deps.uow() as uow:
        changed = await uow.session.scalar(
            sa.select(sa.func.count()).where(
                OutboxMessage.subject == "crm.sales.order.status_changed",
                OutboxMessage.tenant_id == ctx.tenant_id,
            )
        )
    assert changed == 1


async def _reserved(deps: SalesDeps, order_id: uuid.UUID) -> bool:
    async with deps.uow() as uow:
        stmt = sa.select(sa.func.count()).where(
            OrderStatusHistoryRow.order_id == order_id,
            OrderStatusHistoryRow.to_status == "reserved",
        )
        return bool(await uow.session.scalar(stmt))
