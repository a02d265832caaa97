"""What the quote and order handlers share: the records they return, loading a
record to change it, events, and the commit that turns races into 409s."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm.sales.v1 import quotes_pb2
from crm_common.access import AccessContext, hidden_fields, require_record_edit
from crm_common.db import UnitOfWork
from crm_common.errors import AlreadyExists, VersionConflict
from crm_common.events.envelope import NewEvent
from crm_common.money import Money
from sales.adapters.orm_quotes import (
    OrderStatusHistoryRow,
    QuoteLineRow,
    QuoteRow,
    SalesOrderLineRow,
    SalesOrderRow,
)
from sales.adapters.quote_repository import QuoteRepository
from sales.domain.quotes import QUOTES
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor


@dataclass(frozen=True)
class VisibleQuote:
    row: QuoteRow
    lines: list[QuoteLineRow]
    hidden: frozenset[str]
    threshold: Decimal  # the approval threshold the caller's tenant works with


@dataclass(frozen=True)
class VisibleOrder:
    row: SalesOrderRow
    lines: list[SalesOrderLineRow]
    history: list[OrderStatusHistoryRow] = field(default_factory=list)
    hidden: frozenset[str] = frozenset()


def visible(
    row: QuoteRow, lines: list[QuoteLineRow], ctx: AccessContext, deps: SalesDeps
) -> VisibleQuote:
    threshold = deps.settings.quote_approval_discount_percent
    return VisibleQuote(row, lines, hidden_fields(ctx, QUOTES), threshold)


def today() -> date:
    return datetime.now(UTC).date()


def check_version(row: QuoteRow | SalesOrderRow, expected_version: int) -> None:
    if expected_version and expected_version != row.version:
        raise VersionConflict(f"the record is at version {row.version}, not {expected_version}")


async def editable_quote(
    repo: QuoteRepository, ctx: AccessContext, quote_id: uuid.UUID, expected_version: int
) -> QuoteRow:
    """The quote, locked for this transaction, if the caller may change it."""
    quote = await repo.get(quote_id, for_update=True)
    require_record_edit(ctx, QUOTES, str(quote.owner_id))
    check_version(quote, expected_version)
    return quote


def touch(row: QuoteRow | SalesOrderRow, ctx: AccessContext | None) -> None:
    row.updated_by = actor(ctx) if ctx else None


async def commit(uow: UnitOfWork) -> None:
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict("the record changed concurrently; read it again") from exc
    except IntegrityError as exc:
        raise AlreadyExists("a concurrent change took this first; try again") from exc


def _amount(value: Decimal, currency: str) -> str:
    return Money(value, currency).to_str()


def plain(value: Decimal) -> str:
    """A quantity or percent without trailing zeros or exponent ("5", "12.5")."""
    return format(value.normalize(), "f")


def quote_event(subject: str, quote: QuoteRow, ctx: AccessContext | None, **extra: Any) -> NewEvent:
    """Ids and figures only (see QuoteEvent in quotes.proto)."""
    who = (ctx.user_id or ctx.api_key_id) if ctx else ""
    payload = quotes_pb2.QuoteEvent(
        quote_id=str(quote.id), number=quote.number, owner_id=str(quote.owner_id),
        account_id=str(quote.account_id), deal_id=str(quote.deal_id or ""),
        status=quote.status, approval_status=quote.approval_status, currency=quote.currency,
        net_total=_amount(quote.net_total, quote.currency),
        gross_total=_amount(quote.gross_total, quote.currency),
        max_discount_percent=plain(quote.max_discount_percent), actor_id=who, **extra,
    )  # fmt: skip
    return NewEvent(subject, str(quote.tenant_id), str(quote.id), payload, actor_id=who)


def order_event(
    subject: str,
    order: SalesOrderRow,
    lines: list[SalesOrderLineRow],
    ctx: AccessContext | None,
    *,
    from_status: str = "",
    reason: str = "",
) -> NewEvent:
    """The lines (product, quantity) travel with it: inventory reserves from them."""
    who = (ctx.user_id or ctx.api_key_id) if ctx else ""
    items = [order_line_item(line, order.currency) for line in lines]
    payload = quotes_pb2.SalesOrderEvent(
        order_id=str(order.id), number=order.number, quote_id=str(order.quote_id),
        account_id=str(order.account_id), deal_id=str(order.deal_id or ""),
        owner_id=str(order.owner_id), from_status=from_status, status=order.status,
        currency=order.currency, net_total=_amount(order.net_total, order.currency),
        gross_total=_amount(order.gross_total, order.currency), lines=items, reason=reason,
    )  # fmt: skip
    return NewEvent(subject, str(order.tenant_id), str(order.id), payload, actor_id=who)


def order_line_item(line: SalesOrderLineRow, currency: str) -> quotes_pb2.OrderLineItem:
    """Product and quantity (inventory reserves them), and the priced figures an
    invoice of the order is drafted from."""
    taxes = [
        quotes_pb2.OrderLineTax(
            name=str(tax.get("name", "")), rate=str(tax.get("rate", "0")),
            amount=str(tax.get("amount", "0")), inclusive=bool(tax.get("inclusive")),
            compound=bool(tax.get("compound")),
        )
        for tax in line.taxes or []
    ]  # fmt: skip
    return quotes_pb2.OrderLineItem(
        line_id=str(line.id), product_id=str(line.product_id), quantity=plain(line.quantity),
        description=line.description, list_price=plain(line.list_price),
        unit_price=plain(line.unit_price), discount_percent=plain(line.discount_percent),
        net_amount=_amount(line.net_amount, currency), tax_total=_amount(line.tax_total, currency),
        gross_total=_amount(line.gross_total, currency), taxes=taxes,
    )  # fmt: skip
