"""Price books, tax rates and quotes: where pb2 messages and rows and commands meet."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from crm.inventory.v1 import inventory_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.pricing import ROUNDING_RULE
from crm_common.wire import parse_uuid, to_timestamp
from inventory.adapters.orm import TaxRateRow
from inventory.adapters.price_book_repository import PriceBookFilters, TaxRateFilters
from inventory.domain.commands import (
    PRICE_BOOK_FIELDS,
    CreateRecord,
    CreateTaxRate,
    Entry,
    QuotePrice,
    UpdateRecord,
)
from inventory.mappers import QUANTITY_PLACES, decimal_str, money_str, parse_date, parse_decimal
from inventory.service_layer.price_books import VisiblePriceBook
from inventory.service_layer.quotes import Quote

RATE_PLACES = 2  # shown as "21.00"


def price_book_to_pb(book: VisiblePriceBook) -> pb.PriceBook:
    row = book.row
    return pb.PriceBook(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        name=row.name,
        currency=row.currency,
        is_standard=row.is_standard,
        active=row.active,
        valid_from=row.valid_from.isoformat() if row.valid_from else "",
        valid_to=row.valid_to.isoformat() if row.valid_to else "",
        entries=[
            pb.PriceBookEntry(
                product_id=str(e.product_id),
                list_price=money_str(e.list_price, row.currency),
                min_quantity=decimal_str(e.min_quantity),
            )
            for e in row.entries
        ],
        version=row.version,
        created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
        created_by=str(row.created_by or ""),
        updated_by=str(row.updated_by or ""),
    )


def _entries(items: Any) -> list[Entry]:
    return [
        Entry(
            parse_uuid(e.product_id, "entries"),
            parse_decimal(e.list_price, "entries"),
            parse_decimal(e.min_quantity or "1", "entries", places=QUANTITY_PLACES),
        )
        for e in items
    ]


def create_price_book_cmd(req: pb.CreatePriceBookRequest) -> CreateRecord:
    values: dict[str, Any] = {"name": req.name, "currency": req.currency}
    values["is_standard"] = req.is_standard
    if req.HasField("active"):
        values["active"] = req.active
    values["valid_from"] = parse_date(req.valid_from, "valid_from")
    values["valid_to"] = parse_date(req.valid_to, "valid_to")
    values["entries"] = _entries(req.entries)
    return CreateRecord(values)


def _book_value(req: pb.UpdatePriceBookRequest, name: str) -> object:
    if name in ("valid_from", "valid_to"):
        return parse_date(getattr(req, name), name)
    if name == "entries":
        return _entries(req.entries)
    return getattr(req, name)


def update_price_book_cmd(req: pb.UpdatePriceBookRequest) -> UpdateRecord:
    unknown = set(req.update_mask) - PRICE_BOOK_FIELDS
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")
    changes = {name: _book_value(req, name) for name in req.update_mask}
    return UpdateRecord(parse_uuid(req.id), changes, req.expected_version)


def price_book_filters(req: pb.ListPriceBooksRequest) -> PriceBookFilters:
    return PriceBookFilters(
        currency=req.currency.strip().upper(),
        active=req.active if req.HasField("active") else None,
    )


def tax_rate_to_pb(row: TaxRateRow) -> pb.TaxRate:
    return pb.TaxRate(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        tax_class=row.tax_class,
        region=row.region,
        name=row.name,
        rate=decimal_str(row.rate, RATE_PLACES),
        inclusive=row.inclusive,
        compound=row.compound,
        position=row.position,
        created_at=to_timestamp(row.created_at),
    )


def create_tax_rate_cmd(req: pb.CreateTaxRateRequest) -> CreateTaxRate:
    return CreateTaxRate(
        tax_class=req.tax_class,
        region=req.region,
        name=req.name,
        rate=parse_decimal(req.rate, "rate"),
        inclusive=req.inclusive,
        compound=req.compound,
        position=req.position,
    )


def tax_rate_filters(req: pb.ListTaxRatesRequest) -> TaxRateFilters:
    return TaxRateFilters(tax_class=req.tax_class.strip(), region=req.region.strip().upper())


def quote_cmd(req: pb.PriceQuoteRequest) -> QuotePrice:
    quantity = parse_decimal(req.quantity or "1", "quantity", places=QUANTITY_PLACES)
    if quantity <= 0:
        raise InvalidArgument.for_field("quantity", "must be positive")
    discount = parse_decimal(req.discount_percent or "0", "discount_percent")
    if not Decimal(0) <= discount <= Decimal(100):
        raise InvalidArgument.for_field("discount_percent", "must be between 0 and 100")
    return QuotePrice(
        product_id=parse_uuid(req.product_id, "product_id"),
        quantity=quantity,
        currency=req.currency,
        price_book_id=parse_uuid(req.price_book_id, "price_book_id") if req.price_book_id else None,
        on=parse_date(req.date, "date"),
        region=req.region,
        discount_percent=discount,
    )


def quote_to_pb(quote: Quote) -> pb.PriceQuoteResponse:
    t = quote.totals
    cur = t.currency
    return pb.PriceQuoteResponse(
        product_id=str(quote.product_id),
        currency=cur,
        quantity=decimal_str(t.quantity),
        list_price=money_str(t.list_price, cur),
        unit_price=money_str(t.unit_price, cur),
        price_book_id=str(quote.price_book_id or ""),
        discount_percent=decimal_str(t.discount_percent),
        subtotal=money_str(t.subtotal, cur),
        discount_amount=money_str(t.discount, cur),
        net_amount=money_str(t.net, cur),
        taxes=[
            pb.TaxAmount(
                name=line.name,
                rate=decimal_str(line.rate, RATE_PLACES),
                amount=money_str(line.amount, cur),
                inclusive=line.inclusive,
                compound=line.compound,
            )
            for line in t.taxes
        ],
        tax_total=money_str(t.tax_total, cur),
        gross_total=money_str(t.gross, cur),
        rounding=ROUNDING_RULE,
        date=quote.on.isoformat(),
        region=quote.region,
    )
