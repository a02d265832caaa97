"""Line totals against a hand-computed table (the rounding rule of crm_common.pricing)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from crm_common.pricing import Tax, line_total

VAT = Tax("VAT", D("21"))
VAT_IN = Tax("VAT", D("21"), inclusive=True)
GST = Tax("GST", D("5"), position=1)
QST = Tax("QST", D("9.975"), compound=True, position=2)

# price, quantity, currency, discount %, taxes -> subtotal, discount, net, [tax amounts], gross
TABLE = [
    # plain exclusive VAT: 59.97 x 21% = 12.5937 -> 12.59
    ("19.99", "3", "EUR", "0", [VAT], "59.97", "0.00", "59.97", ["12.59"], "72.56"),
    # discount 12.5% of 30.00 = 3.75; 26.25 x 21% = 5.5125 -> 5.51
    ("10.00", "3", "EUR", "12.5", [VAT], "30.00", "3.75", "26.25", ["5.51"], "31.76"),
    # inclusive: 121.00 contains 21.00
    ("121.00", "1", "EUR", "0", [VAT_IN], "121.00", "0.00", "100.00", ["21.00"], "121.00"),
    # inclusive: 10.00 / 1.21 = 8.2644..; tax 1.7355.. -> 1.74; net = 10.00 - 1.74
    ("10.00", "1", "EUR", "0", [VAT_IN], "10.00", "0.00", "8.26", ["1.74"], "10.00"),
    # compound exclusive: GST 5.00; QST 9.975% of 105.00 = 10.47375 -> 10.47
    ("100.00", "1", "CAD", "0", [QST, GST], "100.00", "0.00", "100.00", ["5.00", "10.47"],
     "115.47"),
    # mixed: 110.00 includes 10% (10.00); 5% compound on 100.00 + 10.00 = 5.50
    ("110.00", "1", "EUR", "0",
     [Tax("B", D("5"), compound=True, position=2), Tax("A", D("10"), inclusive=True, position=1)],
     "110.00", "0.00", "100.00", ["10.00", "5.50"], "115.50"),
    # two inclusive, the second compound: factors 0.10 and 0.055; 115.50 / 1.155 = 100
    ("115.50", "1", "EUR", "0",
     [Tax("A", D("10"), inclusive=True, position=1),
      Tax("B", D("5"), inclusive=True, compound=True, position=2)],
     "115.50", "0.00", "100.00", ["10.00", "5.50"], "115.50"),
    # JPY has no minor unit: discount 99.9 -> 100; tax 89.9 -> 90
    ("333", "3", "JPY", "10", [Tax("CT", D("10"))], "999", "100", "899", ["90"], "989"),
    # KWD has 3: 3.7035 -> 3.704 (half-up on the 5); 5% = 0.1852 -> 0.185
    ("1.2345", "3", "KWD", "0", [Tax("T", D("5"))], "3.704", "0.000", "3.704", ["0.185"],
     "3.889"),
    # half-up at exactly .5 of a cent (banker's rounding would give 0.50)
    ("10.10", "1", "USD", "0", [Tax("ST", D("5"))], "10.10", "0.00", "10.10", ["0.51"], "10.61"),
    # a unit price below a cent: 0.125 -> 0.13; tax 0.013 -> 0.01
    ("0.125", "1", "USD", "0", [Tax("ST", D("10"))], "0.13", "0.00", "0.13", ["0.01"], "0.14"),
    # fractional quantity, no taxes
    ("2.50", "1.5", "EUR", "0", [], "3.75", "0.00", "3.75", [], "3.75"),
    # everything discounted
    ("50.00", "2", "EUR", "100", [VAT], "100.00", "100.00", "0.00", ["0.00"], "0.00"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("price", "qty", "cur", "disc", "taxes", "subtotal", "discount", "net", "amounts", "gross"),
    TABLE,
)
def test_line_totals_match_the_hand_computed_table(
    price, qty, cur, disc, taxes, subtotal, discount, net, amounts, gross
) -> None:
    totals = line_total(D(price), D(qty), cur, discount_percent=D(disc), taxes=taxes)
    assert str(totals.subtotal) == subtotal
    assert str(totals.discount) == discount
    assert str(totals.net) == net
    assert [str(t.amount) for t in totals.taxes] == amounts
    assert str(totals.gross) == gross
    assert totals.tax_total == sum((t.amount for t in totals.taxes), D(0))
    assert totals.net + totals.tax_total == totals.gross


def test_taxes_are_reported_inclusive_first_then_by_position() -> None:
    totals = line_total(
        D("110.00"),
        D(1),
        "EUR",
        taxes=[Tax("late", D("1"), position=9), Tax("in", D("10"), inclusive=True, position=5)],
    )
    assert [t.name for t in totals.taxes] == ["in", "late"]
    assert totals.taxes[0].inclusive and not totals.taxes[1].inclusive


def test_unit_price_is_the_discounted_list_price_unrounded() -> None:
    totals = line_total(D("9.99"), D(2), "EUR", discount_percent=D("12.5"))
    assert totals.unit_price == D("8.74125")
    assert totals.list_price == D("9.99")


@pytest.mark.parametrize(
    ("qty", "disc", "rate"),
    [("0", "0", "1"), ("-1", "0", "1"), ("1", "101", "1"), ("1", "0", "-1")],
)
def test_nonsense_is_refused(qty: str, disc: str, rate: str) -> None:
    with pytest.raises(ValueError):
        line_total(D("1.00"), D(qty), "EUR", discount_percent=D(disc), taxes=[Tax("T", D(rate))])


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(ValueError):
        line_total(D("1.00"), D(1), "XYZ")
