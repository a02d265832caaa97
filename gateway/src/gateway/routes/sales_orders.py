"""Sales orders (made by accepting a quote; the sales service decides access,
module orders); this router only parses, calls and maps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Header, Path, Query, Response

from crm.sales.v1 import quotes_pb2 as pb
from gateway import mappers_quotes as mappers
from gateway.deps import QuoteStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.quotes import ActionBody, OrderStatus, SalesOrderPage, SalesOrderRead

router = APIRouter(prefix="/sales-orders", tags=["sales orders"], dependencies=[RequireUser])

OrderId = Annotated[UUID, Path(alias="id", description="The sales order's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
OptionalAction = Annotated[ActionBody | None, Body()]
CHANGE = problem_responses(401, 403, 404, 409, 413, 422)


def _with_etag(response: Response, order: SalesOrderRead) -> SalesOrderRead:
    response.headers["ETag"] = etag(order.version)
    return order


@router.get("", responses=problem_responses(401, 403, 422), summary="Sales orders you may see")
async def list_sales_orders(
    quotes: QuoteStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    status: OrderStatus | None = None,
    owner_id: UUID | None = None,
    account_id: UUID | None = None,
    quote_id: UUID | None = None,
) -> SalesOrderPage:
    filters = {
        "status": status or "", "owner_id": str(owner_id or ""),
        "account_id": str(account_id or ""), "quote_id": str(quote_id or ""),
    }  # fmt: skip
    request = mappers.list_orders_request(limit, cursor, **filters)
    return mappers.order_page(await quotes.ListSalesOrders(request))


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One sales order")
async def get_sales_order(
    order_id: OrderId, quotes: QuoteStub, response: Response
) -> SalesOrderRead:
    order = await quotes.GetSalesOrder(pb.GetSalesOrderRequest(id=str(order_id)))
    return _with_etag(response, mappers.order_read(order))


@router.post(
    "/{id}/confirm",
    dependencies=[UserIdempotency],
    responses=CHANGE,
    summary="Confirm a draft order: inventory is asked to reserve its lines (event)",
)
async def confirm_sales_order(
    order_id: OrderId,
    quotes: QuoteStub,
    response: Response,
    body: OptionalAction = None,
    if_match: IfMatch = None,
) -> SalesOrderRead:
    version = expected_version(if_match, body.version if body else None)
    request = mappers.order_action_request(str(order_id), body, version)
    return _with_etag(response, mappers.order_read(await quotes.ConfirmSalesOrder(request)))


@router.post(
    "/{id}/cancel",
    dependencies=[UserIdempotency],
    responses=CHANGE,
    summary="Cancel an order (inventory releases its reserved stock)",
)
async def cancel_sales_order(
    order_id: OrderId,
    quotes: QuoteStub,
    response: Response,
    body: OptionalAction = None,
    if_match: IfMatch = None,
) -> SalesOrderRead:
    version = expected_version(if_match, body.version if body else None)
    request = mappers.order_action_request(str(order_id), body, version)
    return _with_etag(response, mappers.order_read(await quotes.CancelSalesOrder(request)))
