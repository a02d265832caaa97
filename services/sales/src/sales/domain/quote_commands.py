"""Commands of quotes and sales orders, already parsed from the wire."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sales.domain.quotes import LineInput

# Header fields a client may give on create; PATCH takes the UPDATABLE ones.
CREATE_FIELDS = frozenset(
    {"name", "account_id", "contact_id", "deal_id", "owner_id", "currency",
     "price_book_id", "region", "valid_until"}
)  # fmt: skip
UPDATABLE = frozenset({"name", "valid_until", "contact_id", "deal_id", "region", "price_book_id"})
# A new region or price book changes the prices: the lines are priced again.
REPRICING = frozenset({"region", "price_book_id"})


@dataclass(frozen=True)
class CreateQuote:
    values: Mapping[str, Any]
    lines: tuple[LineInput, ...] = ()


@dataclass(frozen=True)
class UpdateQuote:
    quote_id: uuid.UUID
    changes: Mapping[str, Any] = field(default_factory=dict)
    expected_version: int = 0


@dataclass(frozen=True)
class ReplaceLines:
    quote_id: uuid.UUID
    lines: tuple[LineInput, ...]
    expected_version: int = 0


@dataclass(frozen=True)
class QuoteAction:
    """Reprice, request approval, approve, reject approval, send, accept, reject."""

    quote_id: uuid.UUID
    expected_version: int = 0
    reason: str = ""


@dataclass(frozen=True)
class OrderAction:
    """Confirm, cancel."""

    order_id: uuid.UUID
    expected_version: int = 0
    reason: str = ""
