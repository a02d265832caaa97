"""PriceQuote: the price of one line of a product, as sales quotes need it now.

Which list price applies and which taxes: ``PriceQuote`` in inventory.proto; the
maths and the rounding rule: ``crm_common.pricing``. Nothing is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from crm_common.access import AccessContext, require
from crm_common.errors import FailedPrecondition, InvalidArgument
from crm_common.money import MINOR_UNITS
from crm_common.pricing import LineTotals, Tax, line_total
from inventory.adapters.orm import ProductRow, TaxRateRow
from inventory.adapters.price_book_repository import (
    PriceBookRepository,
    TaxRateRepository,
    entries_of,
)
from inventory.adapters.product_repository import ProductRepository
from inventory.domain import price_books as rules
from inventory.domain.commands import QuotePrice
from inventory.metrics import PRICE_QUOTES
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.price_books import PRICE_BOOKS
from inventory.service_layer.products import PRODUCTS
from inventory.service_layer.shared import tenant


@dataclass(frozen=True)
class ListPrice:
    amount: Decimal
    price_book_id: uuid.UUID | None  # None: the product's own unit price


@dataclass(frozen=True)
class Quote:
    product_id: uuid.UUID
    totals: LineTotals
    price_book_id: uuid.UUID | None
    on: date
    region: str


async def price_quote(cmd: QuotePrice, ctx: AccessContext, deps: InventoryDeps) -> Quote:
    require(ctx, PRODUCTS, "view")
    if cmd.price_book_id is not None:
        require(ctx, PRICE_BOOKS, "view")
    on = cmd.on or datetime.now(UTC).date()
    region = rules.clean_region(cmd.region)
    if region and not rules.REGION.fullmatch(region):
        raise InvalidArgument.for_field("region", 'an ISO country or subdivision, e.g. "US-CA"')
    async with deps.uow() as uow:
        product = await ProductRepository(uow.session, tenant(ctx)).get(cmd.product_id)
        if not product.active:
            raise FailedPrecondition("the product is inactive and cannot be quoted")
        currency = cmd.currency.strip().upper() or product.currency
        if currency not in MINOR_UNITS:
            raise InvalidArgument.for_field("currency", "must be an ISO 4217 currency code")
        price = await _list_price(PriceBookRepository(uow.session, product.tenant_id),
                                  product, currency, cmd, on)  # fmt: skip
        taxes = await TaxRateRepository(uow.session, product.tenant_id).for_line(
            product.tax_class, rules.regions_of(region)
        )
    totals = line_total(
        price.amount,
        cmd.quantity,
        currency,
        discount_percent=cmd.discount_percent,
        taxes=[_tax(rate) for rate in taxes],
    )
    PRICE_QUOTES.inc()
    return Quote(product.id, totals, price.price_book_id, on, region)


async def _list_price(
    books: PriceBookRepository, product: ProductRow, currency: str, cmd: QuotePrice, on: date
) -> ListPrice:
    if cmd.price_book_id is not None:
        book = await books.get(cmd.price_book_id)
        if book.currency != currency:
            raise FailedPrecondition(f"the price book is in {book.currency}, not {currency}")
        if not rules.valid_on(book, on):
            raise FailedPrecondition(f"the price book is not active on {on.isoformat()}")
        entry = rules.tier_for(entries_of(book, product.id), cmd.quantity)
        if entry is None:
            raise FailedPrecondition("the price book has no price for this product and quantity")
        return ListPrice(entry.list_price, book.id)
    for book in await books.standard_books(currency, on):
        entry = rules.tier_for(entries_of(book, product.id), cmd.quantity)
        if entry is not None:
            return ListPrice(entry.list_price, book.id)
    if product.currency == currency:
        return ListPrice(product.unit_price, None)
    raise FailedPrecondition(
        f"no price in {currency} for this product on {on.isoformat()} "
        f"(its own price is in {product.currency}; add a {currency} price book)"
    )


def _tax(rate: TaxRateRow) -> Tax:
    return Tax(rate.name, rate.rate, rate.inclusive, rate.compound, rate.position)
