"""Money: a ``Decimal`` amount with an ISO 4217 currency, never a float.

Rounding is never implicit. Arithmetic keeps full precision (a unit price of
0.3333 times 3 stays 0.9999) and ``round()`` applies the one rule of the platform:
half-up to the currency's minor unit. That way a total is rounded once, where the
business rule says so, instead of a little everywhere.

``parse`` is the edge for amounts coming from clients (gRPC, CSV) and raises
``InvalidArgument``; the constructor guards against programming mistakes and raises
``TypeError``/``ValueError``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from crm_common.errors import InvalidArgument


def _codes(text: str) -> list[str]:
    return text.split()


# Currencies whose minor unit is not 2 digits (ISO 4217, list "A.1").
_MINOR_UNIT_EXCEPTIONS: dict[str, int] = {
    **dict.fromkeys(
        _codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"), 0
    ),
    **dict.fromkeys(_codes("BHD IQD JOD KWD LYD OMR TND"), 3),
    **dict.fromkeys(_codes("CLF UYW"), 4),
}

# Active ISO 4217 codes with a 2-digit minor unit.
_TWO_DIGIT_CODES = _codes("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN
BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB
EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS
KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN
MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD
SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS
UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG
""")

MINOR_UNITS: dict[str, int] = {**dict.fromkeys(_TWO_DIGIT_CODES, 2), **_MINOR_UNIT_EXCEPTIONS}

# Wire format: optional minus, digits, optional fraction. No exponent, no grouping,
# no plus sign: one spelling per value keeps comparisons and signatures simple.
_WIRE_AMOUNT = re.compile(r"-?\d{1,18}(\.\d{1,10})?")  # fits 28-digit Decimal maths


def minor_units(currency: str) -> int:
    """Digits after the decimal point of ``currency``; ValueError for unknown codes."""
    try:
        return MINOR_UNITS[currency]
    except KeyError:
        raise ValueError(f"unknown currency code {currency!r}") from None


def round_half_up(amount: Decimal, currency: str) -> Decimal:
    """The platform's one rounding rule: half-up (away from zero on .5) to the
    currency's minor unit, so -0.005 USD is -0.01 as a customer would expect."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def _to_decimal(value: Any, what: str) -> Decimal:
    """Accept exact inputs only: a float has already lost the cent we care about."""
    if isinstance(value, bool) or not isinstance(value, Decimal | str | int):
        raise TypeError(f"{what} must be Decimal, str or int, not {type(value).__name__}")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{what} {value!r} is not a number") from None
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, got {value!r}")
    return result


@dataclass(frozen=True)
class Money:
    """An amount in one currency. Equal amounts compare equal whatever their
    scale (``Money("1.5", "EUR") == Money("1.50", "EUR")``)."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", _to_decimal(self.amount, "amount"))
        minor_units(self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def parse(cls, amount: str, currency: str, *, field: str = "amount") -> Money:
        """Money from the wire (``"1234.50"``); client mistakes become field errors."""
        if currency not in MINOR_UNITS:
            raise InvalidArgument.for_field("currency", f"unknown currency code {currency!r}")
        if not isinstance(amount, str) or not _WIRE_AMOUNT.fullmatch(amount):
            raise InvalidArgument.for_field(field, "must be a decimal number like 1234.50")
        return cls(Decimal(amount), currency)

    def to_str(self) -> str:
        """Wire format: at least the currency's minor digits (``"1234.50"``), more only
        when the amount really has them (a unit price ``"0.3333"``); never an exponent."""
        amount = self.amount.normalize()
        if -_exponent(amount) < minor_units(self.currency):
            amount = amount.quantize(Decimal(1).scaleb(-minor_units(self.currency)))
        return format(amount, "f")

    def round(self) -> Money:
        """Rounded half-up to the currency's minor unit."""
        return Money(round_half_up(self.amount, self.currency), self.currency)

    def is_rounded(self) -> bool:
        return self.amount == round_half_up(self.amount, self.currency)

    def allocate(self, ratios: Sequence[Decimal | int]) -> list[Money]:
        """Split into parts proportional to ``ratios`` that add up to exactly this
        amount (largest remainder: leftover minor units go to the parts that lost
        the most to truncation, earlier parts first on ties)."""
        if not self.is_rounded():
            raise ValueError(f"round {self.amount} before allocating it")
        weights = _weights(ratios)
        scale = 10 ** minor_units(self.currency)
        units = int(self.amount * scale)
        sign, units = (-1 if units < 0 else 1), abs(units)
        parts = _largest_remainder(units, weights)
        return [Money(Decimal(sign * part) / scale, self.currency) for part in parts]

    def _check_same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._check_same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, quantity: object) -> Money:
        if isinstance(quantity, bool) or not isinstance(quantity, Decimal | int):
            return NotImplemented
        return Money(self.amount * quantity, self.currency)

    __rmul__ = __mul__

    def _key(self, other: object) -> Decimal:
        if not isinstance(other, Money):
            raise TypeError(f"cannot compare Money with {type(other).__name__}")
        self._check_same(other)
        return other.amount

    def __lt__(self, other: object) -> bool:
        return self.amount < self._key(other)

    def __le__(self, other: object) -> bool:
        return self.amount <= self._key(other)

    def __gt__(self, other: object) -> bool:
        return self.amount > self._key(other)

    def __ge__(self, other: object) -> bool:
        return self.amount >= self._key(other)

    def __str__(self) -> str:
        return f"{self.to_str()} {self.currency}"


def _exponent(amount: Decimal) -> int:
    exponent = amount.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def _weights(ratios: Sequence[Decimal | int]) -> list[Fraction]:
    """Exact ratios; floats are refused for the same reason as in amounts."""
    weights = [Fraction(_to_decimal(r, "ratio")) for r in ratios]
    if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("ratios must be non-negative and not all zero")
    return weights


def _largest_remainder(units: int, weights: list[Fraction]) -> list[int]:
    total = sum(weights)
    exact = [units * w / total for w in weights]
    parts = [int(share) for share in exact]  # floor: shares are non-negative
    leftover = units - sum(parts)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return parts
