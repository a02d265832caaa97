"""Rules of stock: pure functions, no I/O.

A level holds ``on_hand`` units of which ``reserved`` are promised to orders;
``available = on_hand - reserved``. No movement may leave ``reserved`` below
zero or above ``on_hand`` (that would be selling what is not there).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from crm_common.errors import FailedPrecondition, FieldViolation, InvalidArgument

RECEIPT = "receipt"
ADJUSTMENT = "adjustment"
RESERVATION = "reservation"
RELEASE = "release"
SHIPMENT = "shipment"
KINDS = (RECEIPT, ADJUSTMENT, RESERVATION, RELEASE, SHIPMENT)

# Subjects inventory publishes about stock (payloads in stock.proto / stock_events.proto).
STOCK_RESERVED = "crm.inventory.stock.reserved"
STOCK_INSUFFICIENT = "crm.inventory.stock.insufficient"
STOCK_RELEASED = "crm.inventory.stock.released"
STOCK_LOW = "crm.inventory.stock.low"
DELIVERY_SHIPPED = "crm.inventory.delivery_note.shipped"
# Subjects inventory consumes.
ORDER_CONFIRMED = "crm.sales.order.confirmed"
ORDER_CANCELLED = "crm.sales.order.cancelled"

CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]*")
WAREHOUSE_LIMITS = {"code": 32, "name": 200, "address": 2000}
QUANTITY_PLACES = 6  # NUMERIC(20, 6)
MAX_QUANTITY = Decimal(10) ** 13


@dataclass(frozen=True)
class Level:
    on_hand: Decimal
    reserved: Decimal

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


def apply(level: Level, quantity_delta: Decimal, reserved_delta: Decimal) -> Level:
    """The level after a movement, or 409 when it would be impossible."""
    after = Level(level.on_hand + quantity_delta, level.reserved + reserved_delta)
    if after.reserved < 0:
        raise FailedPrecondition("more would be released or shipped than is reserved")
    if after.on_hand < after.reserved:
        raise FailedPrecondition(
            f"stock cannot go below what is reserved ({level.reserved} reserved, "
            f"{level.on_hand} on hand)"
        )
    return after


def check_quantity(name: str, value: Decimal, *, allow_negative: bool = False) -> None:
    """A quantity within NUMERIC(20, 6); positive unless ``allow_negative`` (then non-zero)."""
    if not value.is_finite() or abs(value) >= MAX_QUANTITY:
        raise InvalidArgument.for_field(name, "must be a finite quantity")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -QUANTITY_PLACES:
        raise InvalidArgument.for_field(name, f"at most {QUANTITY_PLACES} decimal places")
    if allow_negative and value == 0:
        raise InvalidArgument.for_field(name, "must not be zero")
    if not allow_negative and value <= 0:
        raise InvalidArgument.for_field(name, "must be positive")


def bundle_available(
    components: Mapping[uuid.UUID, Decimal], available: Mapping[uuid.UUID, Decimal]
) -> Decimal:
    """Whole bundles the components make: min over components of
    floor(available / quantity per bundle); never negative."""
    if not components:
        return Decimal(0)
    counts = [
        (available.get(pid, Decimal(0)) / qty).to_integral_value(rounding=ROUND_FLOOR)
        for pid, qty in components.items()
    ]
    return max(Decimal(0), min(counts))


def crosses_low(available: Decimal, reorder_level: Decimal, was_low: bool) -> bool | None:
    """The new low flag when it changes, else None. Low below the reorder level;
    it re-arms only once availability has risen above the level again."""
    if not was_low and available < reorder_level:
        return True
    if was_low and available > reorder_level:
        return False
    return None


def clean_warehouse(values: Mapping[str, object]) -> dict[str, object]:
    cleaned = dict(values)
    for name in WAREHOUSE_LIMITS:
        if isinstance(cleaned.get(name), str):
            cleaned[name] = str(cleaned[name]).strip()
    return cleaned


def validate_warehouse(merged: Mapping[str, object]) -> None:
    """``merged``: the warehouse as it would be; every bad field at once."""
    found = [
        FieldViolation(name, f"at most {limit} characters")
        for name, limit in WAREHOUSE_LIMITS.items()
        if len(str(merged.get(name) or "")) > limit
    ]
    code = str(merged.get("code") or "")
    if not code:
        found.append(FieldViolation("code", "a warehouse needs a code"))
    elif not CODE.fullmatch(code):
        found.append(FieldViolation("code", "letters, digits and . _ - only"))
    if not merged.get("name"):
        found.append(FieldViolation("name", "a warehouse needs a name"))
    if found:
        summary = "; ".join(f"{v.field}: {v.message}" for v in found[:3])
        raise InvalidArgument(f"the warehouse is invalid ({summary})", found)


def check_serials(name: str, serials: Iterable[str], quantity: Decimal) -> list[str]:
    """Serial numbers of shipped units: one per unit, distinct, non-empty."""
    cleaned = [s.strip() for s in serials]
    if not cleaned:
        return []
    if any(not s or len(s) > 100 for s in cleaned):
        raise InvalidArgument.for_field(name, "serial numbers are 1-100 characters")
    if len(set(cleaned)) != len(cleaned):
        raise InvalidArgument.for_field(name, "serial numbers must be distinct")
    if Decimal(len(cleaned)) != quantity:
        raise InvalidArgument.for_field(name, "one serial number per shipped unit")
    return cleaned


def quantity_text(value: Decimal) -> str:
    """A quantity on the wire: no exponent, no trailing zeros ("12.5", "100")."""
    return format(value.normalize(), "f") if value else "0"
