"""Pure rules of quotes and orders: line validation, totals, approval, transitions."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from crm_common.errors import FailedPrecondition, InvalidArgument
from crm_common.pricing import Tax, line_total
from sales.domain import orders, quote_states
from sales.domain.quotes import LineInput, clean_lines, header_violations, sum_totals

TODAY = date(2026, 11, 26)


def test_lines_default_and_report_every_field() -> None:
    product = str(uuid.uuid4())
    (line,) = clean_lines([LineInput(product, description=" x ")])
    assert (line.quantity, line.discount_percent, line.description) == (1, 0, "x")
    with pytest.raises(InvalidArgument) as bad:
        clean_lines([LineInput(product, "1e3"), LineInput("", "-1", "100.00001")])
    assert [v.field for v in bad.value.violations] == [
        "lines[0].quantity", "lines[1].product_id", "lines[1].quantity",
        "lines[1].discount_percent",
    ]  # fmt: skip


def test_header_rules() -> None:
    values: dict[str, object] = {
        "name": "", "currency": "EURO", "region": "nl-x", "valid_until": date(2026, 11, 25),
    }  # fmt: skip
    assert [v.field for v in header_violations(values, TODAY)] == [
        "name", "currency", "region", "valid_until",
    ]  # fmt: skip
    assert header_violations({"region": "US-CA", "currency": "JPY"}, TODAY) == []


def test_totals_are_plain_sums_of_rounded_lines() -> None:
    vat = Tax("VAT", Decimal(21))
    lines = [
        line_total(Decimal("0.3333"), Decimal(3), "EUR", taxes=[vat]),
        line_total(Decimal("10"), Decimal(1), "EUR", discount_percent=Decimal("12.5")),
    ]
    totals = sum_totals(lines)
    assert (totals.subtotal, totals.discount_total, totals.net_total) == (
        Decimal("11.00"), Decimal("1.25"), Decimal("9.75"),
    )  # fmt: skip
    assert (totals.tax_total, totals.gross_total) == (Decimal("0.21"), Decimal("9.96"))


def test_approval_is_needed_strictly_above_the_threshold() -> None:
    assert quote_states.approval_for(Decimal(20), Decimal(20)) == "not_required"
    assert quote_states.approval_for(Decimal("20.01"), Decimal(20)) == "required"
    with pytest.raises(FailedPrecondition):
        quote_states.check_may_request_approval("draft", "not_required")
    with pytest.raises(FailedPrecondition):
        quote_states.check_sendable("draft", "pending", 1, TODAY, TODAY)
    quote_states.check_sendable("draft", "approved", 1, TODAY, TODAY)
    with pytest.raises(FailedPrecondition):
        quote_states.check_sendable("draft", "not_required", 0, TODAY, TODAY)


def test_who_may_approve() -> None:
    own = frozenset({"boss", "rep"})
    assert quote_states.is_above_owner(owner_id="rep", caller_id="boss", own_ids=own,
                                       all_records=False)  # fmt: skip
    assert not quote_states.is_above_owner(owner_id="rep", caller_id="rep", own_ids=own,
                                           all_records=False)  # fmt: skip
    assert not quote_states.is_above_owner(owner_id="peer", caller_id="boss", own_ids=own,
                                           all_records=False)  # fmt: skip
    assert quote_states.is_above_owner(owner_id="x", caller_id="admin", own_ids=frozenset(),
                                       all_records=True)  # fmt: skip


def test_order_transitions() -> None:
    orders.check_confirmable("draft")
    with pytest.raises(FailedPrecondition):
        orders.check_confirmable("confirmed")
    orders.check_cancellable("reserved")  # inventory releases the reservation
    orders.check_cancellable("insufficient_stock")
    with pytest.raises(FailedPrecondition):
        orders.check_cancellable("cancelled")
    assert orders.follows_stock_answer("confirmed")
    assert not orders.follows_stock_answer("reserved")
    with pytest.raises(FailedPrecondition):
        quote_states.check_acceptable("sent", date(2026, 11, 25), TODAY)
