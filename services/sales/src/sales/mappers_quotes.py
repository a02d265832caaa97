"""Quotes and sales orders: where pb2 messages, rows and commands meet."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from crm.sales.v1 import quotes_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.money import Money
from crm_common.wire import parse_uuid, to_timestamp
from sales.adapters.orm_quotes import (
    OrderStatusHistoryRow,
    QuoteLineRow,
    QuoteRow,
    SalesOrderLineRow,
    SalesOrderRow,
)
from sales.adapters.quote_repository import OrderFilters, QuoteFilters
from sales.domain import quote_commands as commands
from sales.domain.quotes import LineInput, clean_region, parse_date
from sales.service_layer.quote_shared import VisibleOrder, VisibleQuote, plain

_LINKS = ("contact_id", "deal_id", "price_book_id")


def _money(value: Decimal, currency: str) -> str:
    return Money(value, currency).to_str()


def _line_to_pb(line: QuoteLineRow | SalesOrderLineRow, currency: str) -> pb.PricedLine:
    taxes = [pb.LineTax(**tax) for tax in line.taxes]
    return pb.PricedLine(
        id=str(line.id), position=line.position, product_id=str(line.product_id),
        description=line.description, quantity=plain(line.quantity),
        discount_percent=plain(line.discount_percent),
        list_price=_money(line.list_price, currency), unit_price=_money(line.unit_price, currency),
        subtotal=_money(line.subtotal, currency),
        discount_amount=_money(line.discount_amount, currency),
        net_amount=_money(line.net_amount, currency), taxes=taxes,
        tax_total=_money(line.tax_total, currency), gross_total=_money(line.gross_total, currency),
        price_book_id=str(line.price_book_id or ""),
    )  # fmt: skip


def _totals(row: QuoteRow | SalesOrderRow) -> pb.DocumentTotals:
    c = row.currency
    return pb.DocumentTotals(
        subtotal=_money(row.subtotal, c), discount_total=_money(row.discount_total, c),
        net_total=_money(row.net_total, c), tax_total=_money(row.tax_total, c),
        gross_total=_money(row.gross_total, c), currency=c,
    )  # fmt: skip


def _hide(message: Any, hidden: Iterable[str]) -> None:
    """Fields hidden from the caller stay empty and are named in hidden_fields."""
    for name in sorted(hidden):
        if name in message.DESCRIPTOR.fields_by_name:
            message.ClearField(name)
            message.hidden_fields.append(name)


def quote_to_pb(quote: VisibleQuote) -> pb.Quote:
    row = quote.row
    message = pb.Quote(
        id=str(row.id), tenant_id=str(row.tenant_id), number=row.number, name=row.name,
        account_id=str(row.account_id), contact_id=str(row.contact_id or ""),
        deal_id=str(row.deal_id or ""), owner_id=str(row.owner_id), currency=row.currency,
        price_book_id=str(row.price_book_id or ""), region=row.region,
        valid_until=row.valid_until.isoformat(), status=row.status,
        approval_status=row.approval_status, approved_by=str(row.approved_by or ""),
        priced_on=row.priced_on.isoformat() if row.priced_on else "",
        lines=[_line_to_pb(line, row.currency) for line in quote.lines], totals=_totals(row),
        max_discount_percent=plain(row.max_discount_percent), order_id=str(row.order_id or ""),
        sent_at=to_timestamp(row.sent_at), decided_at=to_timestamp(row.decided_at),
        version=row.version, created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at), created_by=str(row.created_by or ""),
        updated_by=str(row.updated_by or ""),
        approval_threshold_percent=plain(quote.threshold),
    )  # fmt: skip
    _hide(message, quote.hidden)
    return message


def _change_to_pb(change: OrderStatusHistoryRow) -> pb.OrderStatusChange:
    return pb.OrderStatusChange(
        from_status=change.from_status, to_status=change.to_status, reason=change.reason,
        changed_at=to_timestamp(change.changed_at), changed_by=str(change.changed_by or ""),
    )  # fmt: skip


def order_to_pb(order: VisibleOrder) -> pb.SalesOrder:
    row = order.row
    message = pb.SalesOrder(
        id=str(row.id), tenant_id=str(row.tenant_id), number=row.number,
        quote_id=str(row.quote_id), account_id=str(row.account_id),
        contact_id=str(row.contact_id or ""), deal_id=str(row.deal_id or ""),
        owner_id=str(row.owner_id), currency=row.currency, region=row.region,
        lines=[_line_to_pb(line, row.currency) for line in order.lines], totals=_totals(row),
        status=row.status, status_history=[_change_to_pb(c) for c in order.history],
        version=row.version, created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at), created_by=str(row.created_by or ""),
        updated_by=str(row.updated_by or ""),
    )  # fmt: skip
    _hide(message, order.hidden)
    return message


# ---- requests -> commands ----


def lines_of(inputs: Sequence[pb.LineInput]) -> tuple[LineInput, ...]:
    return tuple(
        LineInput(line.product_id, line.quantity, line.discount_percent, line.description)
        for line in inputs
    )


def _optional_uuid(value: str, field: str) -> Any:
    return parse_uuid(value, field) if value else None


def create_quote_cmd(req: pb.CreateQuoteRequest) -> commands.CreateQuote:
    """Name, account and currency always (they are required); the rest when given."""
    values: dict[str, Any] = {
        "name": req.name.strip(),
        "account_id": _optional_uuid(req.account_id, "account_id"),
        "currency": req.currency.strip().upper(),
    }
    values.update({n: parse_uuid(getattr(req, n), n) for n in _LINKS if getattr(req, n)})
    if req.owner_id:
        values["owner_id"] = parse_uuid(req.owner_id, "owner_id")
    if req.region:
        values["region"] = clean_region(req.region)
    if req.valid_until:
        values["valid_until"] = parse_date(req.valid_until, "valid_until")
    return commands.CreateQuote(values, lines_of(req.lines))


def update_quote_cmd(req: pb.UpdateQuoteRequest) -> commands.UpdateQuote:
    unknown = set(req.update_mask) - commands.UPDATABLE
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")
    changes: dict[str, Any] = {}
    for name in req.update_mask:
        raw = getattr(req, name)
        if name in _LINKS:
            changes[name] = _optional_uuid(raw, name)  # empty: no link
        elif name == "valid_until":
            changes[name] = parse_date(raw, name)
        else:
            changes[name] = clean_region(raw) if name == "region" else raw.strip()
    return commands.UpdateQuote(parse_uuid(req.id), changes, req.expected_version)


def replace_lines_cmd(req: pb.ReplaceQuoteLinesRequest) -> commands.ReplaceLines:
    return commands.ReplaceLines(parse_uuid(req.id), lines_of(req.lines), req.expected_version)


def quote_action(req: pb.QuoteActionRequest) -> commands.QuoteAction:
    return commands.QuoteAction(parse_uuid(req.id), req.expected_version, req.reason.strip())


def order_action(req: pb.OrderActionRequest) -> commands.OrderAction:
    return commands.OrderAction(parse_uuid(req.id), req.expected_version, req.reason.strip())


def quote_filters(req: pb.ListQuotesRequest) -> QuoteFilters:
    return QuoteFilters(
        status=req.status, owner_id=_optional_uuid(req.owner_id, "owner_id"),
        account_id=_optional_uuid(req.account_id, "account_id"),
        deal_id=_optional_uuid(req.deal_id, "deal_id"), q=req.q.strip(),
    )  # fmt: skip


def order_filters(req: pb.ListSalesOrdersRequest) -> OrderFilters:
    return OrderFilters(
        status=req.status, owner_id=_optional_uuid(req.owner_id, "owner_id"),
        account_id=_optional_uuid(req.account_id, "account_id"),
        quote_id=_optional_uuid(req.quote_id, "quote_id"),
    )  # fmt: skip
