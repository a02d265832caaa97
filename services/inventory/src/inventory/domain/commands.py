"""Commands inventory handles: what a caller asks for, already parsed from the wire
(decimals are ``Decimal``, dates ``date``, ids ``UUID``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

PRODUCT_FIELDS = frozenset(
    {
        "sku",
        "name",
        "description",
        "type",
        "unit_price",
        "currency",
        "tax_class",
        "stock_tracked",
        "reorder_level",
        "active",
        "components",
    }
)
PRICE_BOOK_FIELDS = frozenset(
    {"name", "currency", "is_standard", "active", "valid_from", "valid_to", "entries"}
)


@dataclass(frozen=True)
class Component:
    product_id: uuid.UUID
    quantity: Decimal


@dataclass(frozen=True)
class Entry:
    product_id: uuid.UUID
    list_price: Decimal
    min_quantity: Decimal = Decimal(1)


@dataclass(frozen=True)
class CreateRecord:
    """``values`` holds only the fields the caller gave (components/entries as lists
    of ``Component``/``Entry``)."""

    values: Mapping[str, Any]


@dataclass(frozen=True)
class UpdateRecord:
    record_id: uuid.UUID
    changes: Mapping[str, Any] = field(default_factory=dict)
    expected_version: int = 0


@dataclass(frozen=True)
class CreateTaxRate:
    tax_class: str
    region: str
    name: str
    rate: Decimal
    inclusive: bool = False
    compound: bool = False
    position: int = 0


@dataclass(frozen=True)
class QuotePrice:
    product_id: uuid.UUID
    quantity: Decimal = Decimal(1)
    currency: str = ""  # "" = the product's currency
    price_book_id: uuid.UUID | None = None
    on: date | None = None  # None = today (UTC)
    region: str = ""
    discount_percent: Decimal = Decimal(0)
