"""Purchasing rules, pure: receipt plans, line checks, statuses, the 3-way match."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from crm_common.errors import InvalidArgument
from inventory.domain import purchasing as rules
from inventory.domain.purchasing import LineSpec, ReceiveSpec


@dataclass
class Line:
    quantity: Decimal
    received_quantity: Decimal = Decimal(0)
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    product_id: uuid.UUID = field(default_factory=uuid.uuid4)


def test_receipt_plan_by_line_or_product() -> None:
    a, b = Line(Decimal(10), Decimal(6)), Line(Decimal(5))
    plan = rules.receipt_plan(
        [a, b], [ReceiveSpec(a.id, None, Decimal(4)), ReceiveSpec(None, b.product_id, Decimal(2))]
    )
    assert plan == [(a, Decimal(4)), (b, Decimal(2))]


def test_receipt_plan_names_every_bad_line_and_counts_repeats() -> None:
    a = Line(Decimal(10), Decimal(6))
    specs = [
        ReceiveSpec(a.id, None, Decimal(3)),
        ReceiveSpec(None, a.product_id, Decimal(2)),  # 3 + 2 > 4 open
        ReceiveSpec(uuid.uuid4(), None, Decimal(1)),
        ReceiveSpec(None, uuid.uuid4(), Decimal(1)),
        ReceiveSpec(a.id, None, Decimal(0)),
    ]
    with pytest.raises(InvalidArgument) as caught:
        rules.receipt_plan([a], specs)
    assert [(v.field, v.message) for v in caught.value.violations] == [
        ("lines[1].quantity", "only 4 of 10 remain to receive"),
        ("lines[2].line_id", "not a line of this order"),
        ("lines[3].product_id", "not a line of this order"),
        ("lines[4].quantity", "must be positive"),
    ]
    with pytest.raises(InvalidArgument):
        rules.receipt_plan([a], [])


def test_status_after_receipt() -> None:
    assert rules.status_after_receipt([Line(Decimal(2), Decimal(2))]) == rules.RECEIVED
    partly = [Line(Decimal(2), Decimal(2)), Line(Decimal(1))]
    assert rules.status_after_receipt(partly) == rules.PARTIALLY_RECEIVED


@pytest.mark.parametrize(
    ("quantity", "cost", "currency", "total"),
    [
        ("3", "0.335", "EUR", "1.01"),  # 1.005 -> half-up
        ("1", "0.005", "EUR", "0.01"),
        ("7", "0.5", "JPY", "4"),  # 3.5 -> 4, no minor unit
        ("1", "1.0005", "KWD", "1.001"),  # three decimals
    ],
)
def test_line_totals_round_half_up_per_currency(
    quantity: str, cost: str, currency: str, total: str
) -> None:
    assert rules.line_total(Decimal(quantity), Decimal(cost), currency) == Decimal(total)


def test_line_violations() -> None:
    p = uuid.uuid4()
    lines = [LineSpec(p, Decimal(1), Decimal(0)), LineSpec(p, Decimal(-1), Decimal("-0.01"))]
    assert [v.field for v in rules.line_violations(lines)] == [
        "lines[1].quantity",
        "lines[1].unit_cost",
        "lines[1].product_id",
    ]


def test_three_way_match() -> None:
    same = rules.match_line(
        billed_so_far=Decimal("6.0"), received=Decimal(6), unit_cost=Decimal("2.50"),
        ordered_unit_cost=Decimal("2.5"),
    )  # fmt: skip
    assert same == rules.Match(False, False)
    off = rules.match_line(
        billed_so_far=Decimal(10), received=Decimal(6), unit_cost=Decimal("2.51"),
        ordered_unit_cost=Decimal("2.5"),
    )  # fmt: skip
    assert off == rules.Match(True, True)
