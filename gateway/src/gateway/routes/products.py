"""Products, services and bundles (the inventory service), and the price of a line.
Inventory decides access; this router only parses, calls and maps."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.inventory.v1 import inventory_pb2 as pb
from gateway import mappers_products as mappers
from gateway.deps import InventoryStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.products import (
    PriceQuoteRead,
    ProductCreate,
    ProductPage,
    ProductRead,
    ProductUpdate,
)

router = APIRouter(prefix="/products", tags=["products"], dependencies=[RequireUser])

ProductId = Annotated[UUID, Path(alias="id", description="The product's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
Decimal = Annotated[str | None, Query(max_length=40, description="A decimal string")]
Currency = Annotated[str | None, Query(max_length=3, description="Default: the product's")]


def _with_etag(response: Response, product: ProductRead) -> ProductRead:
    response.headers["ETag"] = etag(product.version)
    return product


@router.get("", responses=problem_responses(401, 403, 422), summary="The catalogue")
async def list_products(
    inventory: InventoryStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="In sku and name")] = None,
    type: Annotated[str | None, Query(description="product | service | bundle")] = None,
    active: bool | None = None,
) -> ProductPage:
    request = mappers.list_products_request(limit, cursor, q=q, type=type, active=active)
    return mappers.product_page(await inventory.ListProducts(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Create a product, service or bundle (409 when the sku is taken)",
)
async def create_product(
    body: ProductCreate, inventory: InventoryStub, response: Response
) -> ProductRead:
    product = mappers.product_read(
        await inventory.CreateProduct(mappers.create_product_request(body))
    )
    response.headers["Location"] = f"{API_PREFIX}/products/{product.id}"
    return _with_etag(response, product)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One product")
async def get_product(
    product_id: ProductId, inventory: InventoryStub, response: Response
) -> ProductRead:
    product = await inventory.GetProduct(pb.GetProductRequest(id=str(product_id)))
    return _with_etag(response, mappers.product_read(product))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body (components: no cycles)",
)
async def update_product(
    product_id: ProductId,
    body: ProductUpdate,
    inventory: InventoryStub,
    response: Response,
    if_match: IfMatch = None,
) -> ProductRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_product_request(str(product_id), body, version)
    return _with_etag(response, mappers.product_read(await inventory.UpdateProduct(request)))


@router.get(
    "/{id}/price",
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="The price of a line: list price, discount, taxes, totals (409: no price)",
)
async def price_quote(
    product_id: ProductId,
    inventory: InventoryStub,
    *,
    currency: Currency = None,
    quantity: Decimal = None,
    price_book_id: UUID | None = None,
    on: Annotated[date | None, Query(alias="date", description="Default: today (UTC)")] = None,
    region: Annotated[str | None, Query(max_length=10, description='e.g. "NL", "US-CA"')] = None,
    discount_percent: Decimal = None,
) -> PriceQuoteRead:
    request = mappers.price_quote_request(
        str(product_id),
        currency=currency,
        quantity=quantity,
        price_book_id=str(price_book_id) if price_book_id else None,
        on=on,
        region=region,
        discount_percent=discount_percent,
    )
    return mappers.price_quote_read(await inventory.PriceQuote(request))
