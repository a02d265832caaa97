"""Price books and tax rates: pb2 <-> schema conversion, the one place for them."""

from __future__ import annotations

from datetime import date
from typing import Any

from crm.inventory.v1 import inventory_pb2 as pb
from crm_common.wire import time_field
from gateway.mappers import page_request
from gateway.schemas.price_books import (
    EntryBody,
    EntryRead,
    PriceBookCreate,
    PriceBookPage,
    PriceBookRead,
    PriceBookUpdate,
    TaxRateCreate,
    TaxRatePage,
    TaxRateRead,
)

BOOK_UPDATABLE = ("name", "currency", "is_standard", "active", "valid_from", "valid_to", "entries")


def _entries(items: list[EntryBody]) -> list[pb.PriceBookEntry]:
    return [
        pb.PriceBookEntry(
            product_id=e.product_id, list_price=e.list_price, min_quantity=e.min_quantity
        )
        for e in items
    ]


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def create_price_book_request(body: PriceBookCreate) -> pb.CreatePriceBookRequest:
    return pb.CreatePriceBookRequest(
        name=body.name,
        currency=body.currency,
        is_standard=body.is_standard,
        active=body.active,
        valid_from=_day(body.valid_from),
        valid_to=_day(body.valid_to),
        entries=_entries(body.entries),
    )


def update_price_book_request(
    book_id: str, body: PriceBookUpdate, expected_version: int
) -> pb.UpdatePriceBookRequest:
    present = [name for name in BOOK_UPDATABLE if name in body.model_fields_set]
    values: dict[str, Any] = {name: getattr(body, name) for name in present}
    for name in ("valid_from", "valid_to"):
        if name in values:
            values[name] = _day(values[name])
    if "entries" in values:
        values["entries"] = _entries(values["entries"])
    return pb.UpdatePriceBookRequest(
        id=book_id, update_mask=present, expected_version=expected_version, **values
    )


def list_price_books_request(
    limit: int, cursor: str | None, *, currency: str | None, active: bool | None
) -> pb.ListPriceBooksRequest:
    request = pb.ListPriceBooksRequest(page=page_request(limit, cursor), currency=currency or "")
    if active is not None:
        request.active = active
    return request


def price_book_read(book: pb.PriceBook) -> PriceBookRead:
    return PriceBookRead(
        id=book.id,
        tenant_id=book.tenant_id,
        name=book.name,
        currency=book.currency,
        is_standard=book.is_standard,
        active=book.active,
        valid_from=date.fromisoformat(book.valid_from) if book.valid_from else None,
        valid_to=date.fromisoformat(book.valid_to) if book.valid_to else None,
        entries=[
            EntryRead(product_id=e.product_id, list_price=e.list_price, min_quantity=e.min_quantity)
            for e in book.entries
        ],
        version=book.version,
        created_at=time_field(book, "created_at"),
        updated_at=time_field(book, "updated_at"),
        created_by=book.created_by or None,
        updated_by=book.updated_by or None,
    )


def price_book_page(response: pb.ListPriceBooksResponse) -> PriceBookPage:
    return PriceBookPage(
        items=[price_book_read(b) for b in response.items],
        next_cursor=response.page.next_cursor or None,
    )


def create_tax_rate_request(body: TaxRateCreate) -> pb.CreateTaxRateRequest:
    return pb.CreateTaxRateRequest(**body.model_dump())


def list_tax_rates_request(
    limit: int, cursor: str | None, *, tax_class: str | None, region: str | None
) -> pb.ListTaxRatesRequest:
    return pb.ListTaxRatesRequest(
        page=page_request(limit, cursor), tax_class=tax_class or "", region=region or ""
    )


def tax_rate_read(rate: pb.TaxRate) -> TaxRateRead:
    return TaxRateRead(
        id=rate.id,
        tenant_id=rate.tenant_id,
        tax_class=rate.tax_class,
        region=rate.region,
        name=rate.name,
        rate=rate.rate,
        inclusive=rate.inclusive,
        compound=rate.compound,
        position=rate.position,
        created_at=time_field(rate, "created_at"),
    )


def tax_rate_page(response: pb.ListTaxRatesResponse) -> TaxRatePage:
    return TaxRatePage(
        items=[tax_rate_read(r) for r in response.items],
        next_cursor=response.page.next_cursor or None,
    )
