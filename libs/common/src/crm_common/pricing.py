"""The totals of one priced line: discount, taxes, rounding. Pure maths, shared by
inventory (PriceQuote) and sales (quote and order lines), so a line costs the same
wherever it is computed.

The one rounding rule: half-up to the currency's minor unit
(``crm_common.money.round_half_up``), applied **per line** at each step below, so
every amount shown is already rounded and they add up exactly:

1. ``subtotal = round(list_price x quantity)``
2. ``discount = round(subtotal x discount_percent / 100)``;
   ``price = subtotal - discount``
3. Inclusive taxes (the price already contains them) come first, in ``position``
   order. Each has a factor on the net: ``c = rate/100``, for a compound one
   ``c = rate/100 x (1 + sum of the previous inclusive factors)``.
   ``tax = round(c x price / (1 + sum of all inclusive factors))``;
   ``net = price - sum of inclusive taxes`` (so net + inclusive taxes = price).
4. Exclusive taxes follow, in ``position`` order:
   ``tax = round(rate/100 x base)`` where ``base = net`` or, for a compound tax,
   ``net + every tax before it`` (inclusive ones included).
5. ``tax_total = sum of taxes``; ``gross = net + tax_total``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from crm_common.money import round_half_up

HUNDRED = Decimal(100)
ROUNDING_RULE = "half-up to the currency's minor unit, per line"


@dataclass(frozen=True)
class Tax:
    """A tax rate applied to a line; ``rate`` in percent (``Decimal("21.00")``)."""

    name: str
    rate: Decimal
    inclusive: bool = False
    compound: bool = False
    position: int = 0


@dataclass(frozen=True)
class TaxLine:
    name: str
    rate: Decimal
    amount: Decimal
    inclusive: bool
    compound: bool


@dataclass(frozen=True)
class LineTotals:
    currency: str
    list_price: Decimal
    unit_price: Decimal  # list price after the discount, unrounded (informational)
    quantity: Decimal
    discount_percent: Decimal
    subtotal: Decimal
    discount: Decimal
    net: Decimal
    taxes: tuple[TaxLine, ...]
    tax_total: Decimal
    gross: Decimal


def line_total(
    list_price: Decimal,
    quantity: Decimal,
    currency: str,
    *,
    discount_percent: Decimal = Decimal(0),
    taxes: Sequence[Tax] = (),
) -> LineTotals:
    """The totals of ``quantity`` units at ``list_price`` (see the module docstring)."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    if not Decimal(0) <= discount_percent <= HUNDRED:
        raise ValueError("discount_percent must be between 0 and 100")
    if any(tax.rate < 0 for tax in taxes):
        raise ValueError("tax rates must not be negative")
    subtotal = round_half_up(list_price * quantity, currency)
    discount = round_half_up(subtotal * discount_percent / HUNDRED, currency)
    price = subtotal - discount
    inclusive = sorted((t for t in taxes if t.inclusive), key=lambda t: t.position)
    exclusive = sorted((t for t in taxes if not t.inclusive), key=lambda t: t.position)
    net, included = _take_out(price, inclusive, currency)
    lines = _add_on(net, included, exclusive, currency)
    tax_total = sum((line.amount for line in lines), Decimal(0))
    return LineTotals(
        currency=currency,
        list_price=list_price,
        unit_price=(list_price * (HUNDRED - discount_percent) / HUNDRED).normalize(),
        quantity=quantity,
        discount_percent=discount_percent,
        subtotal=subtotal,
        discount=discount,
        net=net,
        taxes=tuple(lines),
        tax_total=tax_total,
        gross=net + tax_total,
    )


def _take_out(
    price: Decimal, inclusive: Sequence[Tax], currency: str
) -> tuple[Decimal, list[TaxLine]]:
    """The net inside ``price`` and the inclusive taxes it contains."""
    factors: list[Decimal] = []
    for tax in inclusive:
        base = Decimal(1) + (sum(factors, Decimal(0)) if tax.compound else Decimal(0))
        factors.append(tax.rate / HUNDRED * base)
    exact_net = price / (Decimal(1) + sum(factors, Decimal(0)))
    lines = [
        _line(tax, round_half_up(factor * exact_net, currency))
        for tax, factor in zip(inclusive, factors, strict=True)
    ]
    return price - sum((line.amount for line in lines), Decimal(0)), lines


def _add_on(
    net: Decimal, included: list[TaxLine], exclusive: Sequence[Tax], currency: str
) -> list[TaxLine]:
    lines = list(included)
    for tax in exclusive:
        base = net + (sum((line.amount for line in lines), Decimal(0)) if tax.compound else 0)
        lines.append(_line(tax, round_half_up(tax.rate / HUNDRED * base, currency)))
    return lines


def _line(tax: Tax, amount: Decimal) -> TaxLine:
    return TaxLine(tax.name, tax.rate, amount, tax.inclusive, tax.compound)
