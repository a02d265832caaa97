"""Pricing quote lines with inventory (all lines in parallel) and keeping the
answer as the quote's snapshot.

Inventory's errors become field errors naming the line (``lines[2].product_id``)
or the quote field (``currency``, ``region``, ``price_book_id``), every line's at
once. Inventory down: UNAVAILABLE, and nothing is stored (pricing happens before
the transaction that writes).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from crm_common.errors import (
    CrmError,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    Unavailable,
)
from sales.adapters.orm_quotes import QuoteLineRow, QuoteRow
from sales.domain import quote_states as states
from sales.domain.quotes import (
    LineSpec,
    PricedLine,
    PriceRequest,
    PriceSource,
    max_discount,
    sum_totals,
)

# PriceQuoteRequest fields that are the quote's, not the line's.
QUOTE_FIELDS = {"currency": "currency", "region": "region", "price_book_id": "price_book_id"}
LINE_FIELDS = ("product_id", "quantity", "discount_percent")


@dataclass(frozen=True)
class PricingTerms:
    """What prices every line of a quote alike."""

    currency: str
    price_book_id: uuid.UUID | None
    region: str
    on: date


async def price_lines(
    source: PriceSource | None, specs: Sequence[LineSpec], terms: PricingTerms
) -> list[PricedLine]:
    if not specs:
        return []
    if source is None:
        raise Unavailable("pricing is not configured (no inventory address)")
    requests = [
        PriceRequest(s.product_id, s.quantity, s.discount_percent, terms.currency,
                     terms.price_book_id, terms.region, terms.on)
        for s in specs
    ]  # fmt: skip
    answers = await asyncio.gather(*(source.price(r) for r in requests), return_exceptions=True)
    _raise_failures(answers)
    return [
        PricedLine(spec, answer.totals, answer.price_book_id)
        for spec, answer in zip(specs, answers, strict=True)
        if isinstance(answer, PricedLine)
    ]


def _raise_failures(answers: Sequence[PricedLine | BaseException]) -> None:
    """Unavailable or refused wins (the whole call fails alike); otherwise every
    line's problem is reported at once."""
    for answer in answers:
        if isinstance(answer, BaseException) and not isinstance(
            answer, NotFound | FailedPrecondition | InvalidArgument
        ):
            raise answer
    found: list[FieldViolation] = []
    for i, answer in enumerate(answers):
        if isinstance(answer, CrmError):
            found += _violations(i, answer)
    unique = list(dict.fromkeys(found))
    if unique:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in unique), unique)


def _violations(i: int, error: CrmError) -> list[FieldViolation]:
    at = f"lines[{i}]"
    if isinstance(error, NotFound):
        if "price book" in error.message:
            return [FieldViolation("price_book_id", "unknown price book")]
        return [FieldViolation(f"{at}.product_id", "unknown product")]
    if isinstance(error, InvalidArgument) and error.violations:
        return [
            FieldViolation(QUOTE_FIELDS.get(v.field) or f"{at}.{v.field}", v.message)
            for v in error.violations
        ]
    if "price book" in error.message and "no price" not in error.message:
        return [FieldViolation("price_book_id", error.message)]
    # Not priceable: inactive product, no price in the currency, none in the book.
    return [FieldViolation(f"{at}.product_id", error.message)]


def store_lines(
    quote: QuoteRow, priced: Sequence[PricedLine], on: date, threshold: Decimal
) -> list[QuoteLineRow]:
    """New line rows, the quote's totals as their sums, and the approval started
    over (new prices or discounts were not what a manager approved)."""
    rows = [_line_row(quote, position, line) for position, line in enumerate(priced)]
    totals = sum_totals(line.totals for line in priced)
    quote.subtotal, quote.discount_total = totals.subtotal, totals.discount_total
    quote.net_total, quote.tax_total = totals.net_total, totals.tax_total
    quote.gross_total = totals.gross_total
    quote.max_discount_percent = max_discount(line.spec for line in priced)
    quote.priced_on = on
    quote.approval_status = states.approval_for(quote.max_discount_percent, threshold)
    quote.approved_by = None
    quote.approval_note = ""
    return rows


def _line_row(quote: QuoteRow, position: int, line: PricedLine) -> QuoteLineRow:
    t = line.totals
    return QuoteLineRow(
        id=uuid.uuid4(), tenant_id=quote.tenant_id, quote_id=quote.id, position=position,
        product_id=line.spec.product_id, description=line.spec.description,
        quantity=line.spec.quantity, discount_percent=line.spec.discount_percent,
        list_price=t.list_price, unit_price=t.unit_price, subtotal=t.subtotal,
        discount_amount=t.discount, net_amount=t.net, tax_total=t.tax_total,
        gross_total=t.gross, price_book_id=line.price_book_id,
        taxes=[
            {"name": x.name, "rate": str(x.rate), "amount": str(x.amount),
             "inclusive": x.inclusive, "compound": x.compound}
            for x in t.taxes
        ],
    )  # fmt: skip


def spec_of(line: QuoteLineRow) -> LineSpec:
    return LineSpec(line.product_id, line.quantity, line.discount_percent, line.description)
