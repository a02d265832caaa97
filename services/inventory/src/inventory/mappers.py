"""Products: where pb2 messages and inventory's rows and commands meet; and the
decimal/date parsing every inventory mapper shares."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from crm.common.v1 import types_pb2
from crm.inventory.v1 import inventory_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.money import MINOR_UNITS
from crm_common.pagination import Page
from crm_common.wire import parse_uuid, to_timestamp
from inventory.adapters.product_repository import ProductFilters
from inventory.domain.commands import PRODUCT_FIELDS, Component, CreateRecord, UpdateRecord
from inventory.service_layer.products import VisibleProduct

_DECIMAL = re.compile(r"-?\d{1,18}(\.\d{1,10})?")
QUANTITY_PLACES = 6  # NUMERIC(20, 6)
PRODUCT_TEXT = ("sku", "name", "description", "type", "currency", "tax_class")


def parse_decimal(text: str, field: str, *, places: int = 10) -> Decimal:
    """A decimal string from the wire ("1234.50"), or a 422 naming ``field``."""
    if not _DECIMAL.fullmatch(text.strip()):
        raise InvalidArgument.for_field(field, "must be a decimal number like 1234.50")
    value = Decimal(text.strip())
    if -_exponent(value) > places:
        raise InvalidArgument.for_field(field, f"at most {places} decimals")
    return value


def parse_date(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidArgument.for_field(field, "must be a date YYYY-MM-DD") from exc


def decimal_str(value: Decimal, places: int = 0) -> str:
    """No exponent, no trailing zeros beyond ``places`` decimals ("21.00", "1.5")."""
    value = value.normalize()
    if -_exponent(value) < places:
        value = value.quantize(Decimal(1).scaleb(-places))
    return format(value, "f")


def _exponent(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return exponent if isinstance(exponent, int) else 0


def money_str(amount: Decimal, currency: str) -> str:
    """At least the currency's minor digits ("19.90"), more only when really there."""
    return decimal_str(amount, MINOR_UNITS.get(currency, 2))


def page_to_pb(page: Page[Any]) -> types_pb2.PageResponse:
    return types_pb2.PageResponse(next_cursor=page.next_cursor or "")


def product_to_pb(product: VisibleProduct) -> pb.Product:
    row = product.row
    message = pb.Product(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        **{name: getattr(row, name) for name in PRODUCT_TEXT},
        unit_price=money_str(row.unit_price, row.currency),
        stock_tracked=row.stock_tracked,
        reorder_level=decimal_str(row.reorder_level),
        active=row.active,
        components=[
            pb.BundleComponent(product_id=str(c.component_id), quantity=decimal_str(c.quantity))
            for c in row.components
        ],
        version=row.version,
        created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
        created_by=str(row.created_by or ""),
        updated_by=str(row.updated_by or ""),
    )
    for name in sorted(product.hidden):
        if name in pb.Product.DESCRIPTOR.fields_by_name:
            message.ClearField(name)
            message.hidden_fields.append(name)
    return message


def _components(items: Any) -> list[Component]:
    return [
        Component(
            parse_uuid(c.product_id, "components"),
            parse_decimal(c.quantity or "1", "components", places=QUANTITY_PLACES),
        )
        for c in items
    ]


def create_product_cmd(req: pb.CreateProductRequest) -> CreateRecord:
    """Only the fields the caller gave, so field rules judge those alone."""
    values: dict[str, Any] = {
        name: getattr(req, name) for name in PRODUCT_TEXT if getattr(req, name)
    }
    if req.unit_price:
        values["unit_price"] = parse_decimal(req.unit_price, "unit_price")
    if req.reorder_level:
        values["reorder_level"] = parse_decimal(
            req.reorder_level, "reorder_level", places=QUANTITY_PLACES
        )
    for flag in ("stock_tracked", "active"):
        if req.HasField(flag):
            values[flag] = getattr(req, flag)
    if req.components:
        values["components"] = _components(req.components)
    return CreateRecord(values)


def _update_value(req: pb.UpdateProductRequest, name: str) -> object:
    if name == "unit_price":
        return parse_decimal(req.unit_price, "unit_price")
    if name == "reorder_level":
        return parse_decimal(req.reorder_level, "reorder_level", places=QUANTITY_PLACES)
    if name == "components":
        return _components(req.components)
    return getattr(req, name)


def update_product_cmd(req: pb.UpdateProductRequest) -> UpdateRecord:
    unknown = set(req.update_mask) - PRODUCT_FIELDS
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")
    changes = {name: _update_value(req, name) for name in req.update_mask}
    return UpdateRecord(parse_uuid(req.id), changes, req.expected_version)


def product_filters(req: pb.ListProductsRequest) -> ProductFilters:
    return ProductFilters(
        q=req.q.strip(),
        type=req.type.strip().lower(),
        active=req.active if req.HasField("active") else None,
    )
