"""Price books (the inventory service): list prices per product and currency,
valid between dates, with quantity tiers."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.inventory.v1 import inventory_pb2 as pb
from gateway import mappers_price_books as mappers
from gateway.deps import InventoryStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.price_books import (
    PriceBookCreate,
    PriceBookPage,
    PriceBookRead,
    PriceBookUpdate,
)

router = APIRouter(prefix="/price-books", tags=["price books"], dependencies=[RequireUser])

PriceBookId = Annotated[UUID, Path(alias="id", description="The price book's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, book: PriceBookRead) -> PriceBookRead:
    response.headers["ETag"] = etag(book.version)
    return book


@router.get("", responses=problem_responses(401, 403, 422), summary="Price books")
async def list_price_books(
    inventory: InventoryStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    currency: Annotated[str | None, Query(max_length=3)] = None,
    active: bool | None = None,
) -> PriceBookPage:
    request = mappers.list_price_books_request(limit, cursor, currency=currency, active=active)
    return mappers.price_book_page(await inventory.ListPriceBooks(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Create a price book (entries name products of your tenant)",
)
async def create_price_book(
    body: PriceBookCreate, inventory: InventoryStub, response: Response
) -> PriceBookRead:
    request = mappers.create_price_book_request(body)
    book = mappers.price_book_read(await inventory.CreatePriceBook(request))
    response.headers["Location"] = f"{API_PREFIX}/price-books/{book.id}"
    return _with_etag(response, book)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One price book")
async def get_price_book(
    book_id: PriceBookId, inventory: InventoryStub, response: Response
) -> PriceBookRead:
    book = await inventory.GetPriceBook(pb.GetPriceBookRequest(id=str(book_id)))
    return _with_etag(response, mappers.price_book_read(book))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body (entries replace all entries)",
)
async def update_price_book(
    book_id: PriceBookId,
    body: PriceBookUpdate,
    inventory: InventoryStub,
    response: Response,
    if_match: IfMatch = None,
) -> PriceBookRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_price_book_request(str(book_id), body, version)
    return _with_etag(response, mappers.price_book_read(await inventory.UpdatePriceBook(request)))
