"""Work orders (the support service decides access, module work_orders); this
router only parses, calls and maps."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.support.v1 import field_service_pb2 as pb
from gateway import mappers_field_service as mappers
from gateway.deps import FieldServiceDep, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.field_service import (
    WorkOrderCreate,
    WorkOrderPage,
    WorkOrderRead,
    WorkOrderUpdate,
)

router = APIRouter(prefix="/work-orders", tags=["field service"], dependencies=[RequireUser])

OrderId = Annotated[UUID, Path(alias="id", description="The work order's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
StatusFilter = Literal["new", "scheduled", "in_progress", "completed", "cancelled"]


def _with_etag(response: Response, order: WorkOrderRead) -> WorkOrderRead:
    response.headers["ETag"] = etag(order.version)
    return order


@router.get("", responses=problem_responses(401, 403, 422), summary="Work orders you may see")
async def list_work_orders(
    field: FieldServiceDep,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    status: StatusFilter | None = None,
    case_id: UUID | None = None,
    account_id: UUID | None = None,
    service_contract_id: UUID | None = None,
    owner_id: UUID | None = None,
) -> WorkOrderPage:
    filters = {"status": status, "case_id": case_id, "account_id": account_id,
               "service_contract_id": service_contract_id, "owner_id": owner_id}  # fmt: skip
    request = mappers.list_work_orders_request(limit, cursor, filters)
    return mappers.work_order_page(await field.ListWorkOrders(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Open a work order (numbered WO-<year>-<6 digits>)",
)
async def create_work_order(
    body: WorkOrderCreate, field: FieldServiceDep, response: Response
) -> WorkOrderRead:
    order = mappers.work_order_read(
        await field.CreateWorkOrder(mappers.create_work_order_request(body))
    )
    response.headers["Location"] = f"{API_PREFIX}/work-orders/{order.id}"
    return _with_etag(response, order)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One work order")
async def get_work_order(
    order_id: OrderId, field: FieldServiceDep, response: Response
) -> WorkOrderRead:
    found = await field.GetWorkOrder(pb.GetWorkOrderRequest(id=str(order_id)))
    return _with_etag(response, mappers.work_order_read(found))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body (status by the transition table)",
)
async def update_work_order(
    order_id: OrderId,
    body: WorkOrderUpdate,
    field: FieldServiceDep,
    response: Response,
    if_match: IfMatch = None,
) -> WorkOrderRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_work_order_request(str(order_id), body, version)
    return _with_etag(response, mappers.work_order_read(await field.UpdateWorkOrder(request)))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Move the work order to the recycle bin",
)
async def delete_work_order(
    order_id: OrderId, field: FieldServiceDep, if_match: IfMatch = None
) -> Response:
    version = expected_version(if_match, None)
    await field.DeleteWorkOrder(pb.DeleteFieldRecordRequest(id=str(order_id),
                                                            expected_version=version))  # fmt: skip
    return Response(status_code=204)
