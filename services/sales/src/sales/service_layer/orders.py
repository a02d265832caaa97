"""Sales orders: made from an accepted quote (a copy of its lines and totals),
read, listed, confirmed (the event inventory reserves stock from) and cancelled.
Access: module ``orders``, record visibility on owner_id (the quote's owner)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from crm_common.access import AccessContext, hidden_fields, require, require_record_edit
from crm_common.db import UnitOfWork
from crm_common.pagination import Page
from sales.adapters.orm_quotes import (
    OrderStatusHistoryRow,
    QuoteLineRow,
    QuoteRow,
    SalesOrderLineRow,
    SalesOrderRow,
)
from sales.adapters.quote_repository import OrderFilters, OrderRepository, next_number
from sales.domain import orders as rules
from sales.domain.quote_commands import OrderAction
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor
from sales.service_layer.quote_shared import (
    VisibleOrder,
    check_version,
    commit,
    order_event,
    today,
    touch,
)

_COPIED = (
    "position", "product_id", "description", "quantity", "discount_percent", "list_price",
    "unit_price", "subtotal", "discount_amount", "net_amount", "taxes", "tax_total",
    "gross_total", "price_book_id",
)  # fmt: skip
_TOTALS = ("currency", "subtotal", "discount_total", "net_total", "tax_total", "gross_total")


async def order_from_quote(
    uow: UnitOfWork, quote: QuoteRow, lines: list[QuoteLineRow], ctx: AccessContext
) -> VisibleOrder:
    """The order of an accepted quote, in the caller's transaction."""
    order = SalesOrderRow(
        id=uuid.uuid4(), tenant_id=quote.tenant_id, quote_id=quote.id,
        account_id=quote.account_id, contact_id=quote.contact_id, deal_id=quote.deal_id,
        owner_id=quote.owner_id, region=quote.region, status=rules.DRAFT,
        created_by=actor(ctx), updated_by=actor(ctx),
        **{name: getattr(quote, name) for name in _TOTALS},
    )  # fmt: skip
    order.number = await next_number(uow.session, quote.tenant_id, "SO", today().year)
    uow.session.add(order)
    await uow.session.flush()
    copies = [
        SalesOrderLineRow(id=uuid.uuid4(), tenant_id=quote.tenant_id, order_id=order.id,
                          **{name: getattr(line, name) for name in _COPIED})
        for line in lines
    ]  # fmt: skip
    first = _history(order, "", rules.DRAFT, f"accepted quote {quote.number}", ctx)
    uow.session.add_all([*copies, first])
    uow.record(order_event(rules.ORDER_CREATED, order, copies, ctx))
    return VisibleOrder(order, copies, [first], hidden_fields(ctx, rules.ORDERS))


def _history(
    order: SalesOrderRow, from_status: str, to_status: str, reason: str, ctx: AccessContext | None
) -> OrderStatusHistoryRow:
    return OrderStatusHistoryRow(
        id=uuid.uuid4(), tenant_id=order.tenant_id, order_id=order.id, from_status=from_status,
        to_status=to_status, reason=reason, changed_by=actor(ctx) if ctx else None,
    )  # fmt: skip


async def get_order(order_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps) -> VisibleOrder:
    require(ctx, rules.ORDERS, "view")
    async with deps.uow() as uow:
        repo = OrderRepository(uow.session, ctx)
        order = await repo.get(order_id)
        lines, history = await repo.parts([order.id])
    return VisibleOrder(order, lines[order.id], history[order.id], hidden_fields(ctx, rules.ORDERS))


async def list_orders(
    ctx: AccessContext, deps: SalesDeps, filters: OrderFilters, *, limit: int, cursor: str | None
) -> Page[VisibleOrder]:
    require(ctx, rules.ORDERS, "view")
    async with deps.uow() as uow:
        repo = OrderRepository(uow.session, ctx)
        page = await repo.page(filters, limit=limit, cursor=cursor)
        lines, history = await repo.parts([row.id for row in page.items])
    hidden = hidden_fields(ctx, rules.ORDERS)
    items = [VisibleOrder(row, lines[row.id], history[row.id], hidden) for row in page.items]
    return Page(items, page.next_cursor)


async def confirm_order(cmd: OrderAction, ctx: AccessContext, deps: SalesDeps) -> VisibleOrder:
    """draft -> confirmed; the event carries the lines for inventory to reserve."""
    return await _move(cmd, ctx, deps, rules.check_confirmable, rules.CONFIRMED)


async def cancel_order(cmd: OrderAction, ctx: AccessContext, deps: SalesDeps) -> VisibleOrder:
    return await _move(cmd, ctx, deps, rules.check_cancellable, rules.CANCELLED)


async def _move(
    cmd: OrderAction,
    ctx: AccessContext,
    deps: SalesDeps,
    check: Callable[[str], None],
    to_status: str,
) -> VisibleOrder:
    require(ctx, rules.ORDERS, "edit")
    async with deps.uow() as uow:
        repo = OrderRepository(uow.session, ctx)
        order = await repo.get(cmd.order_id, for_update=True)
        require_record_edit(ctx, rules.ORDERS, str(order.owner_id))
        check_version(order, cmd.expected_version)
        check(order.status)
        from_status, order.status = order.status, to_status
        touch(order, ctx)
        lines, history = await repo.parts([order.id])
        change = _history(order, from_status, to_status, cmd.reason, ctx)
        uow.session.add(change)
        subject = rules.ORDER_CONFIRMED if to_status == rules.CONFIRMED else rules.ORDER_CANCELLED
        uow.record(order_event(subject, order, lines[order.id], ctx,
                               from_status=from_status, reason=cmd.reason))  # fmt: skip
        await commit(uow)
    found = [*history[order.id], change]
    return VisibleOrder(order, lines[order.id], found, hidden_fields(ctx, rules.ORDERS))


def history_row(
    order: SalesOrderRow, from_status: str, to_status: str, reason: str
) -> OrderStatusHistoryRow:
    """A change no caller made (inventory's answer)."""
    return _history(order, from_status, to_status, reason, None)
