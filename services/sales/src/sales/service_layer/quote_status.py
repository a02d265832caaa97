"""A quote's way to the customer and back: send, accept (which makes the sales
order in the same transaction), reject. Each step is one event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from crm_common.access import AccessContext, require
from sales.adapters.quote_repository import QuoteRepository
from sales.domain import quote_states as states
from sales.domain.orders import ORDERS
from sales.domain.quote_commands import QuoteAction
from sales.domain.quotes import QUOTES
from sales.service_layer import orders
from sales.service_layer.deps import SalesDeps
from sales.service_layer.quote_shared import (
    VisibleOrder,
    VisibleQuote,
    commit,
    editable_quote,
    quote_event,
    today,
    touch,
    visible,
)


@dataclass(frozen=True)
class Accepted:
    quote: VisibleQuote
    order: VisibleOrder


async def send_quote(cmd: QuoteAction, ctx: AccessContext, deps: SalesDeps) -> VisibleQuote:
    require(ctx, QUOTES, "edit")
    async with deps.uow() as uow:
        repo = QuoteRepository(uow.session, ctx)
        quote = await editable_quote(repo, ctx, cmd.quote_id, cmd.expected_version)
        lines = await repo.lines(quote.id)
        states.check_sendable(
            quote.status, quote.approval_status, len(lines), quote.valid_until, today()
        )
        quote.status, quote.sent_at = states.SENT, datetime.now(UTC)
        touch(quote, ctx)
        uow.record(quote_event(states.QUOTE_SENT, quote, ctx))
        await commit(uow)
    return visible(quote, lines, ctx, deps)


async def accept_quote(cmd: QuoteAction, ctx: AccessContext, deps: SalesDeps) -> Accepted:
    """Exactly one order per quote: the quote row is locked, so a concurrent accept
    waits and then finds it accepted (409); a unique index backs this up."""
    require(ctx, QUOTES, "edit")
    require(ctx, ORDERS, "create")
    async with deps.uow() as uow:
        repo = QuoteRepository(uow.session, ctx)
        quote = await editable_quote(repo, ctx, cmd.quote_id, cmd.expected_version)
        states.check_acceptable(quote.status, quote.valid_until, today())
        lines = await repo.lines(quote.id)
        order = await orders.order_from_quote(uow, quote, lines, ctx)
        quote.status, quote.decided_at = states.ACCEPTED, datetime.now(UTC)
        quote.order_id = order.row.id
        touch(quote, ctx)
        uow.record(
            quote_event(
                states.QUOTE_ACCEPTED, quote, ctx,
                order_id=str(order.row.id), order_number=order.row.number,
            )
        )  # fmt: skip
        await commit(uow)
    return Accepted(visible(quote, lines, ctx, deps), order)


async def reject_quote(cmd: QuoteAction, ctx: AccessContext, deps: SalesDeps) -> VisibleQuote:
    require(ctx, QUOTES, "edit")
    async with deps.uow() as uow:
        repo = QuoteRepository(uow.session, ctx)
        quote = await editable_quote(repo, ctx, cmd.quote_id, cmd.expected_version)
        states.check_rejectable(quote.status)
        quote.status, quote.decided_at = states.REJECTED, datetime.now(UTC)
        touch(quote, ctx)
        uow.record(quote_event(states.QUOTE_REJECTED, quote, ctx, reason=cmd.reason))
        await commit(uow)
        lines = await repo.lines(quote.id)
    return visible(quote, lines, ctx, deps)
