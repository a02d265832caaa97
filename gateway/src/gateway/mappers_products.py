"""Products and line prices: pb2 <-> schema conversion, the one place for them."""

from __future__ import annotations

from datetime import date
from typing import Any

from crm.inventory.v1 import inventory_pb2 as pb
from crm_common.wire import time_field
from gateway.mappers import page_request
from gateway.schemas.products import (
    ComponentBody,
    ComponentRead,
    PriceQuoteRead,
    ProductCreate,
    ProductPage,
    ProductRead,
    ProductUpdate,
    TaxAmountRead,
)

TEXT = ("sku", "name", "description", "type", "unit_price", "currency", "tax_class")
UPDATABLE = (*TEXT, "stock_tracked", "reorder_level", "active", "components")


def _components(items: list[ComponentBody]) -> list[pb.BundleComponent]:
    return [pb.BundleComponent(product_id=c.product_id, quantity=c.quantity) for c in items]


def create_product_request(body: ProductCreate) -> pb.CreateProductRequest:
    request = pb.CreateProductRequest(
        **{name: getattr(body, name) for name in TEXT},
        reorder_level=body.reorder_level,
        active=body.active,
        components=_components(body.components),
    )
    if body.stock_tracked is not None:
        request.stock_tracked = body.stock_tracked
    return request


def update_product_request(
    product_id: str, body: ProductUpdate, expected_version: int
) -> pb.UpdateProductRequest:
    present = [name for name in UPDATABLE if name in body.model_fields_set]
    values: dict[str, Any] = {name: getattr(body, name) for name in present}
    if "components" in values:
        values["components"] = _components(values["components"])
    return pb.UpdateProductRequest(
        id=product_id, update_mask=present, expected_version=expected_version, **values
    )


def list_products_request(
    limit: int, cursor: str | None, *, q: str | None, type: str | None, active: bool | None
) -> pb.ListProductsRequest:
    request = pb.ListProductsRequest(page=page_request(limit, cursor), q=q or "", type=type or "")
    if active is not None:
        request.active = active
    return request


def product_read(product: pb.Product) -> ProductRead:
    return ProductRead(
        id=product.id,
        tenant_id=product.tenant_id,
        **{name: getattr(product, name) for name in TEXT},
        stock_tracked=product.stock_tracked,
        reorder_level=product.reorder_level,
        active=product.active,
        components=[
            ComponentRead(product_id=c.product_id, quantity=c.quantity) for c in product.components
        ],
        version=product.version,
        created_at=time_field(product, "created_at"),
        updated_at=time_field(product, "updated_at"),
        created_by=product.created_by or None,
        updated_by=product.updated_by or None,
        hidden_fields=list(product.hidden_fields),
    )


def product_page(response: pb.ListProductsResponse) -> ProductPage:
    return ProductPage(
        items=[product_read(p) for p in response.items],
        next_cursor=response.page.next_cursor or None,
    )


def price_quote_request(
    product_id: str,
    *,
    currency: str | None,
    quantity: str | None,
    price_book_id: str | None,
    on: date | None,
    region: str | None,
    discount_percent: str | None,
) -> pb.PriceQuoteRequest:
    return pb.PriceQuoteRequest(
        product_id=product_id,
        quantity=quantity or "",
        currency=currency or "",
        price_book_id=price_book_id or "",
        date=on.isoformat() if on else "",
        region=region or "",
        discount_percent=discount_percent or "",
    )


def price_quote_read(quote: pb.PriceQuoteResponse) -> PriceQuoteRead:
    return PriceQuoteRead(
        product_id=quote.product_id,
        currency=quote.currency,
        quantity=quote.quantity,
        list_price=quote.list_price,
        unit_price=quote.unit_price,
        price_book_id=quote.price_book_id or None,
        discount_percent=quote.discount_percent,
        subtotal=quote.subtotal,
        discount_amount=quote.discount_amount,
        net_amount=quote.net_amount,
        taxes=[
            TaxAmountRead(
                name=t.name,
                rate=t.rate,
                amount=t.amount,
                inclusive=t.inclusive,
                compound=t.compound,
            )
            for t in quote.taxes
        ],
        tax_total=quote.tax_total,
        gross_total=quote.gross_total,
        rounding=quote.rounding,
        date=date.fromisoformat(quote.date),
        region=quote.region or None,
    )
