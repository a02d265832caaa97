"""Quotes: value rules of the header and the lines, the pricing port and the totals.
Pure functions, no I/O; every violated field is reported at once (422 naming each,
lines as ``lines[2].quantity``)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from crm_common.errors import FieldViolation, InvalidArgument
from crm_common.money import MINOR_UNITS
from crm_common.pricing import LineTotals

QUOTES = "quotes"  # the access-control module of quotes
NAME_LIMIT, DESCRIPTION_LIMIT, MAX_LINES = 200, 2000, 200
DEFAULT_VALIDITY_DAYS = 30
HUNDRED = Decimal(100)

# ISO 3166 country ("NL") or subdivision ("US-CA"), as inventory's tax rates name them.
REGION = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")
QUANTITY = re.compile(r"\d{1,14}(\.\d{1,6})?")
PERCENT = re.compile(r"\d{1,3}(\.\d{1,4})?")


@dataclass(frozen=True)
class LineInput:
    """A line as it came off the wire (strings), before validation."""

    product_id: str
    quantity: str = ""
    discount_percent: str = ""
    description: str = ""


@dataclass(frozen=True)
class LineSpec:
    product_id: uuid.UUID
    quantity: Decimal
    discount_percent: Decimal
    description: str = ""


@dataclass(frozen=True)
class PriceRequest:
    """What inventory's PriceQuote needs for one line."""

    product_id: uuid.UUID
    quantity: Decimal
    discount_percent: Decimal
    currency: str
    price_book_id: uuid.UUID | None
    region: str
    on: date


@dataclass(frozen=True)
class PricedLine:
    spec: LineSpec
    totals: LineTotals
    price_book_id: uuid.UUID | None  # the book that priced it; None: the product's own price


class PriceSource(Protocol):
    """Inventory's PriceQuote, called with the current principal. Raises
    ``NotFound`` (unknown product), ``FailedPrecondition`` (not priceable),
    ``InvalidArgument`` (fields named as in PriceQuoteRequest), ``PermissionDenied``
    or ``Unavailable``."""

    async def price(self, request: PriceRequest) -> PricedLine: ...


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount_total: Decimal
    net_total: Decimal
    tax_total: Decimal
    gross_total: Decimal


def sum_totals(lines: Iterable[LineTotals]) -> Totals:
    """Plain sums: every line amount is rounded already, so no rounding here."""
    found = list(lines)

    def total(name: str) -> Decimal:
        return sum((getattr(line, name) for line in found), Decimal(0))

    return Totals(
        total("subtotal"), total("discount"), total("net"), total("tax_total"), total("gross")
    )


def max_discount(lines: Iterable[LineSpec]) -> Decimal:
    return max((line.discount_percent for line in lines), default=Decimal(0))


# ---- validation ----


def clean_lines(inputs: Sequence[LineInput]) -> list[LineSpec]:
    if len(inputs) > MAX_LINES:
        raise InvalidArgument.for_field("lines", f"at most {MAX_LINES} lines")
    found: list[FieldViolation] = []
    specs = [_line(i, line, found) for i, line in enumerate(inputs)]
    if found:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in found), found)
    return [spec for spec in specs if spec is not None]


def _line(i: int, line: LineInput, found: list[FieldViolation]) -> LineSpec | None:
    at = f"lines[{i}]"
    before = len(found)
    product_id = _uuid(line.product_id, f"{at}.product_id", found)
    quantity = _decimal(line.quantity or "1", QUANTITY, f"{at}.quantity", found)
    if quantity is not None and quantity <= 0:
        found.append(FieldViolation(f"{at}.quantity", "must be greater than 0"))
    discount = _decimal(line.discount_percent or "0", PERCENT, f"{at}.discount_percent", found)
    if discount is not None and discount > HUNDRED:
        found.append(FieldViolation(f"{at}.discount_percent", "must be between 0 and 100"))
    if len(line.description) > DESCRIPTION_LIMIT:
        found.append(FieldViolation(f"{at}.description", f"at most {DESCRIPTION_LIMIT} chars"))
    if len(found) > before or product_id is None or quantity is None or discount is None:
        return None
    return LineSpec(product_id, quantity, discount, line.description.strip())


def _uuid(value: str, name: str, found: list[FieldViolation]) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        found.append(FieldViolation(name, "must be a product id (UUID)"))
        return None


def _decimal(
    value: str, pattern: re.Pattern[str], name: str, found: list[FieldViolation]
) -> Decimal | None:
    if not pattern.fullmatch(value.strip()):
        found.append(FieldViolation(name, "must be a decimal number like 2.5"))
        return None
    return Decimal(value.strip())


def clean_region(region: str) -> str:
    return region.strip().upper()


def header_violations(values: dict[str, object], today: date) -> list[FieldViolation]:
    """Rules of the header fields present in ``values`` (already parsed)."""
    found: list[FieldViolation] = []
    if "name" in values:
        name = str(values["name"])
        if not name:
            found.append(FieldViolation("name", "is required"))
        elif len(name) > NAME_LIMIT:
            found.append(FieldViolation("name", f"at most {NAME_LIMIT} characters"))
    if "account_id" in values and values["account_id"] is None:
        found.append(FieldViolation("account_id", "is required"))
    if "currency" in values and values["currency"] not in MINOR_UNITS:
        found.append(FieldViolation("currency", "must be an ISO 4217 currency code"))
    region = values.get("region")
    if region and not REGION.fullmatch(str(region)):
        found.append(FieldViolation("region", 'an ISO country or subdivision, e.g. "US-CA"'))
    valid_until = values.get("valid_until")
    if isinstance(valid_until, date) and valid_until < today:
        found.append(FieldViolation("valid_until", "must not be in the past"))
    return found


def validate_header(values: dict[str, object], today: date) -> None:
    found = header_violations(values, today)
    if found:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in found), found)


def parse_date(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidArgument.for_field(field, "must be a date YYYY-MM-DD") from exc
