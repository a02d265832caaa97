"""The invoice lines a subscription or a template bills each period, without I/O.

Pricing is the invoices' own (``domain.invoices``): a subscription is one line
(quantity x price, its taxes); a template's lines are kept as given and priced
again for every period, so a period's invoice is exactly what drafting it by
hand would give.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from crm_common.errors import FieldViolation, InvalidArgument
from inventory.domain import invoices as rules
from inventory.domain.invoices import LineSpec, TaxSpec

# A subscription's fields, named as invoice line fields while checked.
SUBSCRIPTION_FIELDS = {
    "lines[0].description": "description",
    "lines[0].quantity": "quantity",
    "lines[0].unit_price": "price",
    "lines[0].tax_rate": "tax_rate",
    "lines[0].discount": "discount",
}


def subscription_line(values: Mapping[str, Any]) -> LineSpec:
    return LineSpec(
        description=values.get("description") or "",
        quantity=values.get("quantity", Decimal(1)),
        unit_price=values["price"],
        taxes=tuple(values.get("taxes", ())),
        product_id=values.get("product_id"),
    )


def check_subscription_line(spec: LineSpec, currency: str) -> None:
    """The invoice rules, reported with the subscription's field names (price)."""
    try:
        rules.check_lines([spec], currency)
    except InvalidArgument as exc:
        bad = [
            FieldViolation(SUBSCRIPTION_FIELDS.get(v.field, v.field), v.message)
            for v in exc.violations
        ]
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in bad), bad) from exc


def check_template_lines(specs: Sequence[LineSpec], currency: str) -> None:
    if not specs:
        raise InvalidArgument.for_field("lines", "at least one line")
    rules.check_lines(specs, currency)


def for_period(spec: LineSpec, start: date, end: date) -> LineSpec:
    """The line with the period it bills in its description."""
    text = spec.description.strip() or (f"Product {spec.product_id}" if spec.product_id else "")
    return LineSpec(
        f"{text} ({start.isoformat()} to {end.isoformat()})".strip(), spec.quantity,
        spec.unit_price, spec.discount, spec.taxes, spec.product_id,
    )  # fmt: skip


def taxes_json(taxes: Sequence[TaxSpec]) -> list[dict[str, Any]]:
    return [
        {"name": t.name, "rate": str(t.rate), "inclusive": t.inclusive, "compound": t.compound}
        for t in taxes
    ]


def taxes_of(stored: Sequence[Mapping[str, Any]]) -> tuple[TaxSpec, ...]:
    return tuple(
        TaxSpec(t["name"], Decimal(t["rate"]), bool(t["inclusive"]), bool(t["compound"]))
        for t in stored
    )


def line_json(spec: LineSpec) -> dict[str, Any]:
    return {
        "product_id": str(spec.product_id) if spec.product_id else None,
        "description": spec.description.strip(),
        "quantity": str(spec.quantity),
        "unit_price": str(spec.unit_price),
        "discount": str(spec.discount),
        "taxes": taxes_json(spec.taxes),
    }


def line_of(stored: Mapping[str, Any]) -> LineSpec:
    product = stored.get("product_id")
    return LineSpec(
        stored["description"], Decimal(stored["quantity"]), Decimal(stored["unit_price"]),
        Decimal(stored["discount"]), taxes_of(stored["taxes"]),
        uuid.UUID(product) if product else None,
    )  # fmt: skip
