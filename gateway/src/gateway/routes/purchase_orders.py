"""Purchase orders and their receipts (the inventory service decides access,
module purchase_orders, and raises stock on receipt); this router only parses,
calls and maps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Header, Path, Query, Response

from crm.inventory.v1 import purchasing_pb2 as pb
from gateway import mappers_purchasing as mappers
from gateway.deps import PurchasingStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.purchasing import (
    ActionBody,
    OrderStatus,
    PurchaseOrderCreate,
    PurchaseOrderPage,
    PurchaseOrderRead,
    PurchaseOrderUpdate,
    ReceiveBody,
    ReceivedRead,
)

router = APIRouter(prefix="/purchase-orders", tags=["purchase orders"], dependencies=[RequireUser])

OrderId = Annotated[UUID, Path(alias="id", description="The purchase order's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
OptionalAction = Annotated[ActionBody | None, Body()]
CHANGE = problem_responses(401, 403, 404, 409, 413, 422)


def _with_etag(response: Response, order: PurchaseOrderRead) -> PurchaseOrderRead:
    response.headers["ETag"] = etag(order.version)
    return order


@router.get("", responses=problem_responses(401, 403, 422), summary="Purchase orders")
async def list_purchase_orders(
    purchasing: PurchasingStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    status: OrderStatus | None = None,
    vendor_id: UUID | None = None,
) -> PurchaseOrderPage:
    request = mappers.list_orders_request(
        limit, cursor, status=status, vendor_id=str(vendor_id or "")
    )
    return mappers.order_page(await purchasing.ListPurchaseOrders(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 413, 422),
    summary="Create a draft purchase order, numbered PO-<year>-00001 (gapless)",
)
async def create_purchase_order(
    body: PurchaseOrderCreate, purchasing: PurchasingStub, response: Response
) -> PurchaseOrderRead:
    request = mappers.create_order_request(body)
    order = mappers.order_read(await purchasing.CreatePurchaseOrder(request))
    response.headers["Location"] = f"{API_PREFIX}/purchase-orders/{order.id}"
    return _with_etag(response, order)


@router.get(
    "/{id}",
    responses=problem_responses(401, 403, 404, 422),
    summary="One purchase order with its lines and receipt notes",
)
async def get_purchase_order(
    order_id: OrderId, purchasing: PurchasingStub, response: Response
) -> PurchaseOrderRead:
    order = await purchasing.GetPurchaseOrder(pb.GetPurchaseOrderRequest(id=str(order_id)))
    return _with_etag(response, mappers.order_read(order))


@router.patch("/{id}", responses=CHANGE, summary="Change a draft (lines replace every line)")
async def update_purchase_order(
    order_id: OrderId,
    body: PurchaseOrderUpdate,
    purchasing: PurchasingStub,
    response: Response,
    if_match: IfMatch = None,
) -> PurchaseOrderRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_order_request(str(order_id), body, version)
    return _with_etag(response, mappers.order_read(await purchasing.UpdatePurchaseOrder(request)))


def _action(rpc_name: str, path: str, summary: str) -> None:
    """One POST /purchase-orders/{id}/<path> calling PurchasingService.<rpc_name>."""

    async def endpoint(
        order_id: OrderId,
        purchasing: PurchasingStub,
        response: Response,
        body: OptionalAction = None,
        if_match: IfMatch = None,
    ) -> PurchaseOrderRead:
        version = expected_version(if_match, body.version if body else None)
        request = pb.PurchaseOrderActionRequest(id=str(order_id), expected_version=version)
        order = await getattr(purchasing, rpc_name)(request)
        return _with_etag(response, mappers.order_read(order))

    endpoint.__name__ = f"{path}_purchase_order"
    router.post(
        f"/{{id}}/{path}", dependencies=[UserIdempotency], responses=CHANGE, summary=summary
    )(endpoint)


_action("IssuePurchaseOrder", "issue", "Issue a draft to the vendor (409 without lines)")
_action("CancelPurchaseOrder", "cancel", "Cancel an order nothing was received for yet")


@router.post(
    "/{id}/receive",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=CHANGE,
    summary="Goods arrived: a receipt note raises stock on hand (422 names an over-received line)",
)
async def receive_purchase_order(
    order_id: OrderId, body: ReceiveBody, purchasing: PurchasingStub, response: Response
) -> ReceivedRead:
    request = mappers.receive_request(str(order_id), body)
    received = mappers.received_read(await purchasing.ReceivePurchaseOrder(request))
    response.headers["ETag"] = etag(received.purchase_order.version)
    return received
