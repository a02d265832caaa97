"""Value rules of price books and tax rates, and which price and taxes apply to a
line: pure functions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from crm_common.errors import FieldViolation, InvalidArgument
from crm_common.money import MINOR_UNITS
from inventory.domain.commands import CreateTaxRate, Entry

REGION = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")  # ISO 3166-1 alpha-2 or 3166-2
NAME_LIMIT = 200
RATE_PLACES = 4


def validate_price_book(changes: Mapping[str, Any], merged: Mapping[str, Any]) -> None:
    found = []
    if len(str(changes.get("name") or "")) > NAME_LIMIT:
        found.append(FieldViolation("name", f"at most {NAME_LIMIT} characters"))
    if not merged.get("name"):
        found.append(FieldViolation("name", "a price book needs a name"))
    if merged.get("currency") not in MINOR_UNITS:
        found.append(FieldViolation("currency", "must be an ISO 4217 currency code"))
    start, end = merged.get("valid_from"), merged.get("valid_to")
    if start and end and end < start:
        found.append(FieldViolation("valid_to", "must not be before valid_from"))
    found += _entry_violations(merged.get("entries") or [])
    if found:
        summary = "; ".join(f"{v.field}: {v.message}" for v in found[:3])
        raise InvalidArgument(f"the price book is invalid ({summary})", found)


def _entry_violations(entries: Iterable[Entry]) -> list[FieldViolation]:
    tiers = set()
    for entry in entries:
        if entry.list_price < 0:
            return [FieldViolation("entries", "list prices must not be negative")]
        if entry.min_quantity <= 0:
            return [FieldViolation("entries", "min_quantity must be positive")]
        if (entry.product_id, entry.min_quantity) in tiers:
            return [FieldViolation("entries", "one list price per product and min_quantity")]
        tiers.add((entry.product_id, entry.min_quantity))
    return []


class Dated(Protocol):
    active: bool
    valid_from: date | None
    valid_to: date | None


def valid_on(book: Dated, day: date) -> bool:
    """Active, and ``day`` within [valid_from, valid_to] (open ends allowed)."""
    return (
        book.active
        and (book.valid_from is None or book.valid_from <= day)
        and (book.valid_to is None or day <= book.valid_to)
    )


class Tiered(Protocol):
    min_quantity: Decimal


T = TypeVar("T", bound=Tiered)


def tier_for(entries: Sequence[T], quantity: Decimal) -> T | None:
    """The entry with the highest ``min_quantity`` not above ``quantity``."""
    eligible = [e for e in entries if e.min_quantity <= quantity]
    return max(eligible, key=lambda e: e.min_quantity, default=None)


def clean_region(region: str) -> str:
    return region.strip().upper()


def regions_of(region: str) -> list[str]:
    """A quote in "US-CA" is taxed by the country's rates and the state's."""
    if not region:
        return []
    country = region.split("-", 1)[0]
    return [country] if country == region else [country, region]


def validate_tax_rate(cmd: CreateTaxRate) -> None:
    found = []
    if not cmd.tax_class or len(cmd.tax_class) > 50:
        found.append(FieldViolation("tax_class", "1 to 50 characters"))
    if not REGION.fullmatch(cmd.region):
        found.append(FieldViolation("region", 'an ISO country or subdivision, e.g. "NL", "US-CA"'))
    if not cmd.name or len(cmd.name) > 100:
        found.append(FieldViolation("name", "1 to 100 characters"))
    if not Decimal(0) <= cmd.rate <= Decimal(100) or -_exponent(cmd.rate) > RATE_PLACES:
        found.append(FieldViolation("rate", "a percentage 0 to 100, at most 4 decimals"))
    if cmd.position < 0:
        found.append(FieldViolation("position", "must not be negative"))
    if found:
        summary = "; ".join(f"{v.field}: {v.message}" for v in found[:3])
        raise InvalidArgument(f"the tax rate is invalid ({summary})", found)


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0
