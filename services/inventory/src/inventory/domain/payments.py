"""Payments without I/O: what a payment may be and where it may go.

A payment is in one currency for one account; each allocation goes to an open
invoice of that account and currency and is at most its balance. Whatever is not
allocated is an overpayment: refused unless the caller keeps it as the
customer's credit (``keep_credit``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from crm_common.errors import FieldViolation, InvalidArgument
from inventory.domain import invoices as rules

PAYMENTS = "payments"  # access module
PAYMENT_RECEIVED = "crm.inventory.payment.received"
METHODS = ("bank_transfer", "card", "cash", "cheque", "other")


@dataclass(frozen=True)
class AllocationSpec:
    invoice_id: uuid.UUID
    amount: Decimal


@dataclass(frozen=True)
class NewPayment:
    account_id: uuid.UUID
    amount: Decimal
    currency: str
    received_at: datetime
    method: str = "other"
    reference: str = ""
    allocations: tuple[AllocationSpec, ...] = ()
    keep_credit: bool = False


def check_payment(cmd: NewPayment) -> Decimal:
    """The unallocated rest, after checking the payment on its own."""
    currency = rules.check_currency(cmd.currency)
    rules.check_amount(cmd.amount, currency)
    if cmd.method not in METHODS:
        raise InvalidArgument.for_field("method", f"one of {', '.join(METHODS)}")
    seen: set[uuid.UUID] = set()
    for i, allocation in enumerate(cmd.allocations):
        rules.check_amount(allocation.amount, currency, f"allocations[{i}].amount")
        if allocation.invoice_id in seen:
            raise InvalidArgument.for_field(f"allocations[{i}].invoice_id", "named twice")
        seen.add(allocation.invoice_id)
    rest = cmd.amount - sum((a.amount for a in cmd.allocations), Decimal(0))
    if rest < 0:
        raise InvalidArgument.for_field("allocations", "allocate at most the payment's amount")
    if rest > 0 and not cmd.keep_credit:
        raise InvalidArgument.for_field(
            "amount", f"{rest} more than allocated: allocate it, or send keep_credit: true"
        )
    return rest


class Payable(Protocol):
    """What an allocation needs to know of an invoice."""

    status: str
    currency: str
    account_id: uuid.UUID
    balance: Decimal


def allocation_problem(cmd: NewPayment, amount: Decimal, invoice: Payable | None) -> str | None:
    """Why ``amount`` of the payment cannot go to ``invoice`` (None: it can)."""
    if invoice is None:
        return "no such invoice"
    if invoice.status not in rules.OPEN:
        return f"the invoice is {invoice.status}"
    if invoice.account_id != cmd.account_id:
        return "the invoice is of another account"
    if invoice.currency != cmd.currency.strip().upper():
        return f"the invoice is in {invoice.currency}"
    if amount > invoice.balance:
        return f"more than the invoice's balance {invoice.balance.normalize():f}"
    return None


def check_allocations(cmd: NewPayment, invoices: Mapping[uuid.UUID, Payable]) -> None:
    bad = []
    for i, allocation in enumerate(cmd.allocations):
        invoice = invoices.get(allocation.invoice_id)
        problem = allocation_problem(cmd, allocation.amount, invoice)
        if problem:
            field = "amount" if problem.startswith("more") else "invoice_id"
            bad.append(FieldViolation(f"allocations[{i}].{field}", problem))
    if bad:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in bad), bad)


@dataclass(frozen=True)
class InstallmentSpec:
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class InstallmentState:
    paid_amount: Decimal
    status: str  # pending | partially_paid | paid | overdue


def check_installments(specs: Sequence[InstallmentSpec], total: Decimal, currency: str) -> None:
    if not specs:
        raise InvalidArgument.for_field("installments", "at least one installment")
    for i, spec in enumerate(specs):
        rules.check_amount(spec.amount, currency, f"installments[{i}].amount")
        if i and spec.due_date < specs[i - 1].due_date:
            raise InvalidArgument.for_field(f"installments[{i}].due_date", "in date order")
    planned = sum((s.amount for s in specs), Decimal(0))
    if planned != total:
        raise InvalidArgument.for_field(
            "installments", f"sum to {planned.normalize():f}, not the total {total.normalize():f}"
        )


def schedule(
    specs: Sequence[InstallmentSpec], covered: Decimal, today: date
) -> list[InstallmentState]:
    """Payments and credits cover installments earliest first; one not fully
    covered after its due date is overdue."""
    states = []
    for spec in specs:
        paid = min(spec.amount, max(covered, Decimal(0)))
        covered -= paid
        if paid == spec.amount:
            status = "paid"
        elif spec.due_date < today:
            status = "overdue"
        else:
            status = "partially_paid" if paid else "pending"
        states.append(InstallmentState(paid, status))
    return states
