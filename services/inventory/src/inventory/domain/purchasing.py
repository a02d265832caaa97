"""Purchasing rules, pure: vendors' values, purchase order lines and states, what
a receipt may take, and the 3-way match of a bill. Every violated field is
reported at once (422 naming each field, lines as ``lines[2].quantity``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from crm_common.errors import FieldViolation, InvalidArgument
from crm_common.money import MINOR_UNITS, round_half_up

VENDORS = "vendors"
PURCHASE_ORDERS = "purchase_orders"  # orders, receipt notes and bills

DRAFT, ISSUED, CANCELLED = "draft", "issued", "cancelled"
PARTIALLY_RECEIVED, RECEIVED = "partially_received", "received"
PO_STATUSES = (DRAFT, ISSUED, PARTIALLY_RECEIVED, RECEIVED, CANCELLED)
RECEIVABLE = (ISSUED, PARTIALLY_RECEIVED)
BILLABLE = (ISSUED, PARTIALLY_RECEIVED, RECEIVED)
CANCELLABLE = (DRAFT, ISSUED)
MATCHED, MISMATCH = "matched", "mismatch"

PO_ISSUED = "crm.inventory.purchase_order.issued"
PO_RECEIVED = "crm.inventory.purchase_order.received"
BILL_RECORDED = "crm.inventory.bill.recorded"
BILL_MISMATCH = "crm.inventory.bill.mismatch"

VENDOR_FIELDS = frozenset(
    {"name", "email", "phone", "address", "payment_terms_days", "currency", "active"}
)
VENDOR_LIMITS = {"name": 200, "email": 254, "phone": 50, "address": 2000}
PO_FIELDS = frozenset({"vendor_id", "currency", "warehouse_id", "expected_date", "lines"})
MAX_TERMS_DAYS = 365
MAX_LINES = 200


@dataclass(frozen=True)
class LineSpec:
    """An ordered or billed line as the caller sent it (parsed)."""

    product_id: uuid.UUID
    quantity: Decimal
    unit_cost: Decimal


@dataclass(frozen=True)
class ReceiveSpec:
    line_id: uuid.UUID | None
    product_id: uuid.UUID | None
    quantity: Decimal


@dataclass(frozen=True)
class ReceiveGoods:
    purchase_order_id: uuid.UUID
    lines: tuple[ReceiveSpec, ...]
    warehouse_id: uuid.UUID | None = None  # None: the order's


@dataclass(frozen=True)
class RecordBill:
    purchase_order_id: uuid.UUID
    vendor_reference: str
    lines: tuple[LineSpec, ...]
    vendor_id: uuid.UUID | None = None  # None: the order's
    bill_date: date | None = None  # None: today (UTC)


class OrderLine(Protocol):
    """What the rules read of a stored purchase order line."""

    id: uuid.UUID
    product_id: uuid.UUID
    quantity: Decimal
    received_quantity: Decimal


def invalid(found: Sequence[FieldViolation], what: str) -> InvalidArgument:
    summary = "; ".join(f"{v.field}: {v.message}" for v in found[:3])
    return InvalidArgument(f"the {what} is invalid ({summary})", list(found))


def clean_vendor(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    if isinstance(cleaned.get("currency"), str):
        cleaned["currency"] = cleaned["currency"].upper()
    if isinstance(cleaned.get("email"), str):
        cleaned["email"] = cleaned["email"].lower()
    return cleaned


def validate_vendor(changes: Mapping[str, Any], merged: Mapping[str, Any]) -> None:
    """``merged`` is the vendor as it would be after the change."""
    found = [
        FieldViolation(name, f"at most {limit} characters")
        for name, limit in VENDOR_LIMITS.items()
        if len(str(changes.get(name) or "")) > limit
    ]
    if not merged.get("name"):
        found.append(FieldViolation("name", "a vendor needs a name"))
    if merged.get("currency") not in MINOR_UNITS:
        found.append(FieldViolation("currency", "must be an ISO 4217 currency code"))
    email = changes.get("email") or ""
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        found.append(FieldViolation("email", "must be an e-mail address"))
    terms = changes.get("payment_terms_days")
    if terms is not None and not 0 <= terms <= MAX_TERMS_DAYS:
        found.append(FieldViolation("payment_terms_days", f"0..{MAX_TERMS_DAYS} days"))
    if found:
        raise invalid(found, "vendor")


def validate_order_header(merged: Mapping[str, Any], lines: Sequence[LineSpec]) -> None:
    """``merged`` is the order's header as it would be after the change."""
    found = [
        FieldViolation(name, "is required")
        for name in ("vendor_id", "warehouse_id")
        if not merged.get(name)
    ]
    if merged.get("currency") is not None and merged["currency"] not in MINOR_UNITS:
        found.append(FieldViolation("currency", "must be an ISO 4217 currency code"))
    found += line_violations(lines)
    if found:
        raise invalid(found, "purchase order")


def line_violations(lines: Sequence[LineSpec], field: str = "lines") -> list[FieldViolation]:
    """Quantities positive, costs not negative, each product at most once."""
    if len(lines) > MAX_LINES:
        return [FieldViolation(field, f"at most {MAX_LINES} lines")]
    found: list[FieldViolation] = []
    seen: set[uuid.UUID] = set()
    for i, line in enumerate(lines):
        if line.quantity <= 0:
            found.append(FieldViolation(f"{field}[{i}].quantity", "must be positive"))
        if line.unit_cost < 0:
            found.append(FieldViolation(f"{field}[{i}].unit_cost", "must not be negative"))
        if line.product_id in seen:
            found.append(FieldViolation(f"{field}[{i}].product_id", "each product at most once"))
        seen.add(line.product_id)
    return found


def line_total(quantity: Decimal, unit_cost: Decimal, currency: str) -> Decimal:
    """The platform's rounding: half-up to the currency's minor unit, per line."""
    return round_half_up(quantity * unit_cost, currency)


def status_after_receipt(lines: Iterable[OrderLine]) -> str:
    done = all(line.received_quantity >= line.quantity for line in lines)
    return RECEIVED if done else PARTIALLY_RECEIVED


def receipt_plan(
    lines: Sequence[OrderLine], specs: Sequence[ReceiveSpec]
) -> list[tuple[OrderLine, Decimal]]:
    """Which order line each requested quantity goes to; never more than is still
    open on a line (the sum of a receipt's requests for one line counts)."""
    if not specs:
        raise InvalidArgument.for_field("lines", "receive at least one line")
    by_id: dict[uuid.UUID | None, OrderLine] = {line.id: line for line in lines}
    by_product: dict[uuid.UUID | None, OrderLine] = {line.product_id: line for line in lines}
    plan: list[tuple[OrderLine, Decimal]] = []
    found: list[FieldViolation] = []
    taking: dict[uuid.UUID, Decimal] = {}
    for i, spec in enumerate(specs):
        line = by_id.get(spec.line_id) if spec.line_id else by_product.get(spec.product_id)
        if line is None:
            what = "line_id" if spec.line_id else "product_id"
            found.append(FieldViolation(f"lines[{i}].{what}", "not a line of this order"))
            continue
        if spec.quantity <= 0:
            found.append(FieldViolation(f"lines[{i}].quantity", "must be positive"))
            continue
        taking[line.id] = taking.get(line.id, Decimal(0)) + spec.quantity
        open_quantity = line.quantity - line.received_quantity
        if taking[line.id] > open_quantity:
            found.append(
                FieldViolation(
                    f"lines[{i}].quantity",
                    f"only {_plain(open_quantity)} of {_plain(line.quantity)} remain to receive",
                )
            )
            continue
        plan.append((line, spec.quantity))
    if found:
        raise invalid(found, "receipt")
    return plan


@dataclass(frozen=True)
class Match:
    quantity_mismatch: bool
    price_mismatch: bool


def match_line(
    *, billed_so_far: Decimal, received: Decimal, unit_cost: Decimal, ordered_unit_cost: Decimal
) -> Match:
    """3-way match of one bill line: quantities billed up to and including this
    bill against quantities received; the billed price against the order's."""
    return Match(billed_so_far != received, unit_cost != ordered_unit_cost)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
