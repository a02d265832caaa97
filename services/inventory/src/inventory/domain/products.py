"""Value rules of products, services and bundles: pure functions.

Every violated field is reported at once (422 naming each field).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from crm_common.errors import FieldViolation, InvalidArgument
from crm_common.money import MINOR_UNITS
from inventory.domain.commands import Component

TYPES = ("product", "service", "bundle")
LIMITS = {"sku": 64, "name": 200, "description": 5000, "tax_class": 50}
SKU = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/\-]*")
NEW_PRODUCT_DEFAULTS: Mapping[str, Any] = MappingProxyType(
    {
        "description": "",
        "type": "product",
        "unit_price": Decimal(0),
        "tax_class": "standard",
        "reorder_level": Decimal(0),
        "active": True,
        "components": [],
    }
)


def clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Trimmed text, upper-case currency, lower-case type."""
    cleaned = dict(values)
    for name in (*LIMITS, "type", "currency"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip()
    if isinstance(cleaned.get("currency"), str):
        cleaned["currency"] = cleaned["currency"].upper()
    if isinstance(cleaned.get("type"), str):
        cleaned["type"] = cleaned["type"].lower()
    return cleaned


def with_defaults(values: Mapping[str, Any]) -> dict[str, Any]:
    """A new product: stock is tracked for physical products only, unless told."""
    merged = {**NEW_PRODUCT_DEFAULTS, **values}
    merged.setdefault("stock_tracked", merged["type"] == "product")
    return merged


def sku_key(sku: str) -> str:
    """What makes two skus the same (``ab-1`` and ``AB-1`` are)."""
    return sku.lower()


def validate(changes: Mapping[str, Any], merged: Mapping[str, Any]) -> None:
    """``merged`` is the product as it would be after the change."""
    found = [
        FieldViolation(name, f"at most {limit} characters")
        for name, limit in LIMITS.items()
        if len(str(changes.get(name) or "")) > limit
    ]
    found += _required(merged)
    found += _kind_violations(merged)
    found += _amount_violations(changes)
    found += _component_violations(merged.get("components") or [])
    if found:
        summary = "; ".join(f"{v.field}: {v.message}" for v in found[:3])
        raise InvalidArgument(f"the product is invalid ({summary})", found)


def _required(merged: Mapping[str, Any]) -> list[FieldViolation]:
    found = []
    sku = merged.get("sku") or ""
    if not sku:
        found.append(FieldViolation("sku", "a product needs a sku"))
    elif not SKU.fullmatch(sku):
        found.append(FieldViolation("sku", "letters, digits and . _ / - only"))
    if not merged.get("name"):
        found.append(FieldViolation("name", "a product needs a name"))
    if merged.get("currency") not in MINOR_UNITS:
        found.append(FieldViolation("currency", "must be an ISO 4217 currency code"))
    if not merged.get("tax_class"):
        found.append(FieldViolation("tax_class", "must not be empty"))
    return found


def _kind_violations(merged: Mapping[str, Any]) -> list[FieldViolation]:
    kind = merged.get("type")
    if kind not in TYPES:
        return [FieldViolation("type", f"one of {', '.join(TYPES)}")]
    found = []
    if merged.get("stock_tracked") and kind != "product":
        why = "a service has no stock" if kind == "service" else "a bundle's stock is derived"
        found.append(FieldViolation("stock_tracked", why))
    has_components = bool(merged.get("components"))
    if kind == "bundle" and not has_components:
        found.append(FieldViolation("components", "a bundle needs at least one component"))
    if kind != "bundle" and has_components:
        found.append(FieldViolation("components", "only bundles have components"))
    return found


def _amount_violations(changes: Mapping[str, Any]) -> list[FieldViolation]:
    return [
        FieldViolation(name, "must not be negative")
        for name in ("unit_price", "reorder_level")
        if isinstance(changes.get(name), Decimal) and changes[name] < 0
    ]


def _component_violations(components: Iterable[Component]) -> list[FieldViolation]:
    seen: set[uuid.UUID] = set()
    for component in components:
        if component.quantity <= 0:
            return [FieldViolation("components", "quantities must be positive")]
        if component.product_id in seen:
            return [FieldViolation("components", "each product at most once")]
        seen.add(component.product_id)
    return []


def check_no_cycle(bundle_id: uuid.UUID, below_components: Iterable[uuid.UUID]) -> None:
    """``below_components``: the new components and everything nested inside them.
    A bundle may not contain itself, however deep."""
    if bundle_id in set(below_components):
        raise InvalidArgument.for_field(
            "components", "a bundle cannot contain itself or a bundle that contains it"
        )
