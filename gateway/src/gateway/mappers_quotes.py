"""Quotes and sales orders: pb2 <-> schema conversion, the one place for them."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from crm.sales.v1 import quotes_pb2 as pb
from gateway.mappers import page_request
from gateway.proto_json import plain
from gateway.schemas.quotes import (
    ActionBody,
    LineIn,
    QuoteAccepted,
    QuoteCreate,
    QuotePage,
    QuoteRead,
    QuoteUpdate,
    SalesOrderPage,
    SalesOrderRead,
)

# Empty strings on the wire that are "none" in JSON.
OPTIONAL = frozenset(
    {"contact_id", "deal_id", "price_book_id", "approved_by", "priced_on", "order_id",
     "created_by", "updated_by", "changed_by", "from_status"}
)  # fmt: skip
QUOTE_UPDATABLE = ("name", "valid_until", "contact_id", "deal_id", "region", "price_book_id")


def _plain(message: Message) -> dict[str, Any]:
    return plain(message, OPTIONAL)


def quote_read(message: pb.Quote) -> QuoteRead:
    return QuoteRead.model_validate(_plain(message))


def order_read(message: pb.SalesOrder) -> SalesOrderRead:
    return SalesOrderRead.model_validate(_plain(message))


def accepted_read(message: pb.AcceptQuoteResponse) -> QuoteAccepted:
    return QuoteAccepted(quote=quote_read(message.quote), order=order_read(message.order))


def quote_page(message: pb.ListQuotesResponse) -> QuotePage:
    return QuotePage(
        items=[quote_read(q) for q in message.items],
        next_cursor=message.page.next_cursor or None,
    )


def order_page(message: pb.ListSalesOrdersResponse) -> SalesOrderPage:
    return SalesOrderPage(
        items=[order_read(o) for o in message.items],
        next_cursor=message.page.next_cursor or None,
    )


def _lines(lines: list[LineIn]) -> list[pb.LineInput]:
    return [pb.LineInput(**line.model_dump()) for line in lines]


def create_quote_request(body: QuoteCreate) -> pb.CreateQuoteRequest:
    return pb.CreateQuoteRequest(
        name=body.name, account_id=body.account_id, contact_id=body.contact_id or "",
        deal_id=body.deal_id or "", owner_id=body.owner_id or "", currency=body.currency,
        price_book_id=body.price_book_id or "", region=body.region,
        valid_until=body.valid_until.isoformat() if body.valid_until else "",
        lines=_lines(body.lines),
    )  # fmt: skip


def update_quote_request(quote_id: str, body: QuoteUpdate, version: int) -> pb.UpdateQuoteRequest:
    present = [name for name in QUOTE_UPDATABLE if name in body.model_fields_set]
    values: dict[str, Any] = {}
    for name in present:
        value = getattr(body, name)
        values[name] = value.isoformat() if name == "valid_until" else (value or "")
    return pb.UpdateQuoteRequest(
        id=quote_id, update_mask=present, expected_version=version, **values
    )


def lines_request(quote_id: str, lines: list[LineIn], version: int) -> pb.ReplaceQuoteLinesRequest:
    return pb.ReplaceQuoteLinesRequest(id=quote_id, expected_version=version, lines=_lines(lines))


def action_request(quote_id: str, body: ActionBody | None, version: int) -> pb.QuoteActionRequest:
    reason = body.reason if body else ""
    return pb.QuoteActionRequest(id=quote_id, expected_version=version, reason=reason)


def order_action_request(
    order_id: str, body: ActionBody | None, version: int
) -> pb.OrderActionRequest:
    reason = body.reason if body else ""
    return pb.OrderActionRequest(id=order_id, expected_version=version, reason=reason)


def list_quotes_request(limit: int, cursor: str | None, **filters: str) -> pb.ListQuotesRequest:
    return pb.ListQuotesRequest(page=page_request(limit, cursor), **filters)


def list_orders_request(
    limit: int, cursor: str | None, **filters: str
) -> pb.ListSalesOrdersRequest:
    return pb.ListSalesOrdersRequest(page=page_request(limit, cursor), **filters)
