"""Commands of stock: what a caller (or an event) asks for, already parsed from
the wire (quantities ``Decimal``, ids ``UUID``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class AdjustStock:
    product_id: uuid.UUID
    warehouse_id: uuid.UUID
    quantity_delta: Decimal
    reason: str


@dataclass(frozen=True)
class ShipLine:
    """``quantity`` None: all that is still reserved of the product."""

    product_id: uuid.UUID
    quantity: Decimal | None = None
    serials: tuple[str, ...] = ()


@dataclass(frozen=True)
class CreateDeliveryNote:
    order_id: uuid.UUID
    lines: tuple[ShipLine, ...] = ()


@dataclass(frozen=True)
class OrderLine:
    line_id: str
    product_id: uuid.UUID
    quantity: Decimal


@dataclass(frozen=True)
class ConfirmedOrder:
    """What inventory keeps of ``crm.sales.order.confirmed``."""

    order_id: uuid.UUID
    number: str
    account_id: uuid.UUID | None
    lines: tuple[OrderLine, ...]
