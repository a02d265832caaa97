"""Invoices without I/O: the states, pricing of lines with the platform's one
rounding rule (``crm_common.pricing``), totals, due dates and the subjects.

An invoice's totals are plain sums of its lines' already rounded amounts:
``subtotal`` = sum of net amounts (after discount, before tax), ``tax_total`` =
sum of the lines' taxes, ``total = subtotal + tax_total`` (= sum of line totals).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from crm_common.errors import FailedPrecondition, FieldViolation, InvalidArgument
from crm_common.money import MINOR_UNITS, Money, round_half_up
from crm_common.pricing import LineTotals, Tax, line_total

INVOICES = "invoices"  # access module (also credit notes and installment plans)

DRAFT, ISSUED, PARTIALLY_PAID, PAID, OVERDUE, VOID = (
    "draft", "issued", "partially_paid", "paid", "overdue", "void",
)  # fmt: skip
STATUSES = (DRAFT, ISSUED, PARTIALLY_PAID, PAID, OVERDUE, VOID)
OPEN = (ISSUED, PARTIALLY_PAID, OVERDUE)  # may be paid or credited
OVERDUE_FROM = (ISSUED, PARTIALLY_PAID)  # the overdue job's scan
MANUAL, FROM_ORDER, FROM_DEAL = "manual", "order", "deal"
DEFAULT_TERMS_DAYS = 30
MAX_TERMS_DAYS = 3650
MAX_LINES = 500

INVOICE_DRAFTED = "crm.inventory.invoice.drafted"
INVOICE_ISSUED = "crm.inventory.invoice.issued"
INVOICE_PAID = "crm.inventory.invoice.paid"
INVOICE_OVERDUE = "crm.inventory.invoice.overdue"
INVOICE_VOIDED = "crm.inventory.invoice.voided"
CREDIT_NOTE_ISSUED = "crm.inventory.credit_note.issued"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TaxSpec:
    name: str
    rate: Decimal  # percent
    inclusive: bool = False
    compound: bool = False


@dataclass(frozen=True)
class LineSpec:
    """One invoice line as asked for: a list price per unit, a discount percent and
    its taxes (a bare ``tax_rate`` is one exclusive tax)."""

    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = Decimal(0)
    taxes: tuple[TaxSpec, ...] = ()
    product_id: uuid.UUID | None = None


def check_currency(currency: str, field: str = "currency") -> str:
    code = currency.strip().upper()
    if code not in MINOR_UNITS:
        raise InvalidArgument.for_field(field, "must be an ISO 4217 currency code")
    return code


def check_lines(specs: Sequence[LineSpec], currency: str) -> None:
    """Every bad field of every line at once (``lines[2].quantity``)."""
    bad: list[FieldViolation] = []
    if len(specs) > MAX_LINES:
        bad.append(FieldViolation("lines", f"at most {MAX_LINES} lines"))
    for i, spec in enumerate(specs):
        at = f"lines[{i}]"
        if not spec.description.strip() and spec.product_id is None:
            bad.append(FieldViolation(f"{at}.description", "a description or a product_id"))
        if spec.quantity <= 0:
            bad.append(FieldViolation(f"{at}.quantity", "must be positive"))
        if spec.unit_price < 0:
            bad.append(FieldViolation(f"{at}.unit_price", "must not be negative"))
        if not Decimal(0) <= spec.discount <= HUNDRED:
            bad.append(FieldViolation(f"{at}.discount", "a percent between 0 and 100"))
        if any(tax.rate < 0 or tax.rate > 1000 for tax in spec.taxes):
            bad.append(FieldViolation(f"{at}.tax_rate", "a percent between 0 and 1000"))
    if bad:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in bad), bad)


def price(spec: LineSpec, currency: str) -> LineTotals:
    """The line's amounts by the one rounding rule; taxes keep the given order."""
    taxes = [
        Tax(t.name, t.rate, t.inclusive, t.compound, position) for position, t in
        enumerate(spec.taxes)
    ]  # fmt: skip
    return line_total(
        spec.unit_price, spec.quantity, currency, discount_percent=spec.discount, taxes=taxes
    )


def line_values(spec: LineSpec, totals: LineTotals) -> dict[str, Any]:
    """The columns of an invoice line."""
    return {
        "product_id": spec.product_id,
        "description": spec.description.strip(),
        "quantity": spec.quantity,
        "unit_price": spec.unit_price,
        "discount_percent": spec.discount,
        "tax_rate": sum((t.rate for t in spec.taxes), Decimal(0)),
        "subtotal": totals.subtotal,
        "discount_amount": totals.discount,
        "net_amount": totals.net,
        "taxes": [
            {
                "name": t.name,
                "rate": str(t.rate),
                "amount": str(t.amount),
                "inclusive": t.inclusive,
                "compound": t.compound,
            }
            for t in totals.taxes
        ],
        "tax_amount": totals.tax_total,
        "line_total": totals.gross,
    }


def sums(lines: Sequence[LineTotals]) -> tuple[Decimal, Decimal, Decimal]:
    """(subtotal, tax_total, total): sums of rounded line amounts, no rounding."""
    subtotal = sum((line.net for line in lines), Decimal(0))
    tax_total = sum((line.tax_total for line in lines), Decimal(0))
    return subtotal, tax_total, subtotal + tax_total


def check_terms(days: int) -> int:
    if not 0 <= days <= MAX_TERMS_DAYS:
        raise InvalidArgument.for_field("payment_terms_days", f"between 0 and {MAX_TERMS_DAYS}")
    return days


def due_on(issue_date: date, terms_days: int, explicit: date | None) -> date:
    """The given due date, else the issue date plus the payment terms."""
    due = explicit or issue_date + timedelta(days=terms_days)
    if due < issue_date:
        raise InvalidArgument.for_field("due_date", "must not be before the issue date")
    return due


def require_draft(status: str) -> None:
    if status != DRAFT:
        raise FailedPrecondition(f"the invoice is {status}; only drafts change (credit notes)")


def settled_status(status: str, balance: Decimal) -> str:
    """After a payment or credit: paid at zero; an overdue invoice stays overdue
    until settled; otherwise partially paid."""
    if balance <= 0:
        return PAID
    return OVERDUE if status == OVERDUE else PARTIALLY_PAID


def check_amount(amount: Decimal, currency: str, field: str = "amount") -> Decimal:
    """A positive amount with no more decimals than the currency has."""
    if amount <= 0:
        raise InvalidArgument.for_field(field, "must be positive")
    if round_half_up(amount, currency) != amount:
        raise InvalidArgument.for_field(field, f"at most {MINOR_UNITS[currency]} decimals")
    return amount


@dataclass(frozen=True)
class InvoiceDraft:
    """A new draft, by hand or from a sales event (already parsed)."""

    account_id: uuid.UUID
    currency: str
    lines: tuple[LineSpec, ...]
    order_id: uuid.UUID | None = None
    deal_id: uuid.UUID | None = None
    payment_terms_days: int | None = None
    due_date: date | None = None
    notes: str = ""


@dataclass(frozen=True)
class InvoiceAction:
    invoice_id: uuid.UUID
    expected_version: int = 0
    reason: str = ""


def spec_of(line: Any) -> LineSpec:
    """A stored line as it was asked for (to price it again in a new currency)."""
    taxes = tuple(
        TaxSpec(t["name"], Decimal(t["rate"]), bool(t["inclusive"]), bool(t["compound"]))
        for t in line.taxes
    )
    return LineSpec(
        line.description, line.quantity, line.unit_price, line.discount_percent, taxes,
        line.product_id,
    )  # fmt: skip


def wire(amount: Decimal, currency: str) -> str:
    """An amount as a decimal string ("1234.50"), for events."""
    return Money(amount, currency).to_str()
