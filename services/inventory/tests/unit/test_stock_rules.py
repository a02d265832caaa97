"""Pure stock rules: levels never oversold, bundle availability, the low-stock
crossing, allocation over warehouses and shipment plans."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from crm_common.errors import FailedPrecondition, InvalidArgument
from inventory.domain import stock as rules
from inventory.domain import stock_allocation as allocation

A, B, W1, W2 = (uuid.UUID(int=n) for n in (1, 2, 3, 4))
D = Decimal


def test_a_movement_never_leaves_reserved_above_on_hand() -> None:
    level = rules.Level(D(5), D(3))
    assert rules.apply(level, D(-2), D(0)).available == 0
    with pytest.raises(FailedPrecondition):
        rules.apply(level, D(-3), D(0))
    with pytest.raises(FailedPrecondition):
        rules.apply(level, D(0), D(-4))


def test_bundle_availability_is_the_scarcest_component() -> None:
    assert rules.bundle_available({A: D(1), B: D(4)}, {A: D(5), B: D(13)}) == 3
    assert rules.bundle_available({A: D(2)}, {}) == 0
    assert rules.bundle_available({A: D("0.5")}, {A: D("1.2")}) == 2


def test_low_stock_fires_once_per_crossing() -> None:
    assert rules.crosses_low(D(4), D(5), was_low=False) is True
    assert rules.crosses_low(D(3), D(5), was_low=True) is None
    assert rules.crosses_low(D(5), D(5), was_low=True) is None  # not above yet
    assert rules.crosses_low(D(6), D(5), was_low=True) is False
    assert rules.crosses_low(D(0), D(0), was_low=False) is None  # no reorder level


def test_quantities_and_text() -> None:
    with pytest.raises(InvalidArgument):
        rules.check_quantity("q", D("0.0000001"))
    with pytest.raises(InvalidArgument):
        rules.check_quantity("q", D(0), allow_negative=True)
    assert [rules.quantity_text(D(v)) for v in ("100.000000", "1.50", "0E-6")] == [
        "100",
        "1.5",
        "0",
    ]


def test_allocation_takes_the_most_available_warehouse_first() -> None:
    stock = {A: {W1: D(2), W2: D(5)}}
    takes = allocation.allocate([{A: D(6)}], stock)
    assert [(t.warehouse_id, t.quantity) for t in takes] == [(W2, 5), (W1, 1)]
    short = allocation.shortages({A: D(8), B: D(1)}, {A: D(7)})
    assert [(s.product_id, s.missing) for s in short] == [(A, 1), (B, 1)]


def test_shipment_plans() -> None:
    open_lines = [allocation.Open(W1, A, D(2)), allocation.Open(W2, A, D(1))]
    everything = allocation.plan_shipment(open_lines, [])
    assert [(s.line_id, s.quantity) for s in everything] == [(W1, 2), (W2, 1)]
    serials = allocation.plan_shipment(open_lines, [(A, D(3), ["x", "y", "z"])])
    assert [s.serials for s in serials] == [("x", "y"), ("z",)]
    with pytest.raises(FailedPrecondition):
        allocation.plan_shipment(open_lines, [(A, D(4), [])])
    with pytest.raises(InvalidArgument):
        allocation.plan_shipment(open_lines, [(A, D(2), ["x", "x"])])
