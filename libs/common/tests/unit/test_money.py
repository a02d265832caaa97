from __future__ import annotations

import random
from decimal import Decimal

import pytest

from crm_common.errors import InvalidArgument
from crm_common.money import MINOR_UNITS, Money, minor_units, round_half_up


def test_amount_is_exact_decimal_from_str_int_or_decimal() -> None:
    assert Money("1.10", "EUR").amount == Decimal("1.10")
    assert Money(3, "EUR").amount == Decimal(3)
    assert Money(Decimal("0.1"), "EUR") == Money("0.10", "EUR")


@pytest.mark.parametrize("amount", [1.1, True, None, [1]])
def test_float_and_other_types_are_refused(amount: object) -> None:
    with pytest.raises(TypeError):
        Money(amount, "EUR")  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["abc", "NaN", "Infinity", ""])
def test_non_numbers_are_refused(amount: str) -> None:
    with pytest.raises(ValueError):
        Money(amount, "EUR")


@pytest.mark.parametrize("currency", ["XYZ", "usd", "EURO", ""])
def test_unknown_currency_is_refused(currency: str) -> None:
    with pytest.raises(ValueError):
        Money("1", currency)


@pytest.mark.parametrize(
    ("currency", "digits"),
    [("JPY", 0), ("KRW", 0), ("USD", 2), ("EUR", 2), ("GBP", 2), ("KWD", 3), ("BHD", 3),
     ("OMR", 3), ("JOD", 3), ("TND", 3), ("CLF", 4)],
)  # fmt: skip
def test_minor_units(currency: str, digits: int) -> None:
    assert minor_units(currency) == digits
    assert MINOR_UNITS[currency] == digits


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.005", "USD", "0.01"),
        ("0.004999", "USD", "0.00"),
        ("-0.005", "USD", "-0.01"),
        ("2.5", "JPY", "3"),
        ("1.0005", "KWD", "1.001"),
        ("1.00005", "CLF", "1.0001"),
        ("10", "USD", "10.00"),
    ],
)
def test_round_half_up_to_the_minor_unit(amount: str, currency: str, expected: str) -> None:
    rounded = round_half_up(Decimal(amount), currency)
    assert str(rounded) == expected
    assert Money(amount, currency).round().to_str() == expected


def test_add_and_subtract_same_currency() -> None:
    assert Money("1.10", "EUR") + Money("2.205", "EUR") == Money("3.305", "EUR")
    assert Money("1", "EUR") - Money("2.5", "EUR") == Money("-1.5", "EUR")
    assert -Money("1", "EUR") == Money("-1", "EUR")


def test_mixing_currencies_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Money("1", "EUR") + Money("1", "USD")
    with pytest.raises(ValueError):
        Money("1", "EUR") - Money("1", "USD")
    with pytest.raises(ValueError):
        assert Money("1", "EUR") < Money("1", "USD")


def test_adding_a_plain_number_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Money("1", "EUR") + 1  # type: ignore[operator]


def test_multiply_by_quantity_keeps_precision_until_rounded() -> None:
    price = Money("0.3333", "EUR")
    assert price * 3 == Money("0.9999", "EUR")
    assert 3 * price == Money("0.9999", "EUR")
    assert (price * Decimal("1.5")).round() == Money("0.50", "EUR")
    with pytest.raises(TypeError):
        price * 1.5  # type: ignore[operator]


def test_comparisons() -> None:
    assert Money("1.5", "EUR") == Money("1.50", "EUR")
    assert hash(Money("1.5", "EUR")) == hash(Money("1.50", "EUR"))
    assert Money("1", "EUR") != Money("1", "USD")
    assert Money("1", "EUR") < Money("2", "EUR") <= Money("2.00", "EUR")
    assert Money("3", "EUR") > Money("2", "EUR") >= Money("2", "EUR")
    assert max([Money("1", "EUR"), Money("5", "EUR")]) == Money("5", "EUR")
    with pytest.raises(TypeError):
        assert Money("1", "EUR") < 2


@pytest.mark.parametrize(
    ("amount", "currency", "wire"),
    [
        ("1234.5", "EUR", "1234.50"),
        ("1234.50", "EUR", "1234.50"),
        ("100", "EUR", "100.00"),
        ("1E+2", "EUR", "100.00"),
        ("0.3333", "EUR", "0.3333"),
        ("0.3330", "EUR", "0.333"),
        ("-7", "EUR", "-7.00"),
        ("1500", "JPY", "1500"),
        ("1.2", "KWD", "1.200"),
    ],
)
def test_to_str_is_the_wire_format(amount: str, currency: str, wire: str) -> None:
    money = Money(amount, currency)
    assert money.to_str() == wire
    assert Money.parse(wire, currency) == money


@pytest.mark.parametrize("wire", ["", "1,5", "1e3", "+1", " 1", "1.", ".5", "NaN", "1" * 19])
def test_parse_refuses_anything_but_plain_decimals(wire: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        Money.parse(wire, "EUR", field="price")
    assert info.value.violations[0].field == "price"


def test_parse_refuses_unknown_currency_as_field_error() -> None:
    with pytest.raises(InvalidArgument) as info:
        Money.parse("1.00", "ABC")
    assert info.value.violations[0].field == "currency"


def test_allocate_example_from_the_books() -> None:
    parts = Money("0.05", "USD").allocate([3, 7])
    assert parts == [Money("0.02", "USD"), Money("0.03", "USD")]
    thirds = Money("100", "EUR").allocate([1, 1, 1])
    assert [p.to_str() for p in thirds] == ["33.34", "33.33", "33.33"]


def test_allocate_negative_and_zero_ratios() -> None:
    assert Money("-100", "EUR").allocate([1, 1, 1]) == [
        Money("-33.34", "EUR"),
        Money("-33.33", "EUR"),
        Money("-33.33", "EUR"),
    ]
    assert Money("10", "JPY").allocate([0, 1, 2]) == [
        Money("0", "JPY"),
        Money("3", "JPY"),
        Money("7", "JPY"),
    ]


@pytest.mark.parametrize("ratios", [[], [0, 0], [-1, 2], [0.5, 0.5]])
def test_allocate_refuses_bad_ratios(ratios: list[object]) -> None:
    with pytest.raises((ValueError, TypeError)):
        Money("1", "EUR").allocate(ratios)  # type: ignore[arg-type]


def test_allocate_refuses_unrounded_amounts() -> None:
    with pytest.raises(ValueError):
        Money("1.005", "EUR").allocate([1, 1])


def test_allocate_always_sums_exactly_to_the_original() -> None:
    rng = random.Random(4217)
    currencies = ["EUR", "JPY", "KWD", "CLF"]
    for _ in range(200):
        currency = rng.choice(currencies)
        digits = minor_units(currency)
        amount = Decimal(rng.randint(-(10**9), 10**9)).scaleb(-digits)
        ratios = [Decimal(rng.randint(0, 1000)).scaleb(-rng.randint(0, 3)) for _ in range(7)]
        ratios[rng.randrange(len(ratios))] += 1  # never all zero
        total = Money(amount, currency)
        parts = total.allocate(ratios[: rng.randint(1, 7)] or [1])
        assert sum(parts, Money.zero(currency)) == total
        assert all(p.is_rounded() for p in parts)


def test_allocate_parts_differ_from_exact_share_by_less_than_one_minor_unit() -> None:
    rng = random.Random(7)
    for _ in range(200):
        units = rng.randint(0, 10**7)
        ratios = [rng.randint(1, 50) for _ in range(rng.randint(1, 9))]
        total = Money(Decimal(units).scaleb(-2), "USD")
        for part, ratio in zip(total.allocate(ratios), ratios, strict=True):
            exact = total.amount * ratio / sum(ratios)
            assert abs(part.amount - exact) < Decimal("0.01")


def test_round_trip_through_the_wire_for_random_amounts() -> None:
    rng = random.Random(11)
    for _ in range(200):
        currency = rng.choice(["EUR", "JPY", "KWD", "CLF", "USD"])
        amount = Decimal(rng.randint(-(10**12), 10**12)).scaleb(-rng.randint(0, 6))
        money = Money(amount, currency)
        assert Money.parse(money.to_str(), currency) == money


def test_str_shows_currency() -> None:
    assert str(Money("5", "EUR")) == "5.00 EUR"
