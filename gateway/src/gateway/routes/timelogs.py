"""Timelogs on cases and work orders (the support service decides access,
module timelogs, plus sight of the case or work order)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from crm.support.v1 import field_service_pb2 as pb
from gateway import mappers_field_service as mappers
from gateway.deps import FieldServiceDep, RequireUser, UserIdempotency
from gateway.openapi import problem_responses
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.field_service import TimelogCreate, TimelogPage, TimelogRead

router = APIRouter(prefix="", tags=["field service"], dependencies=[RequireUser])

CaseId = Annotated[UUID, Path(alias="id", description="The case's id (UUID)")]
OrderId = Annotated[UUID, Path(alias="id", description="The work order's id (UUID)")]
TimelogId = Annotated[UUID, Path(alias="id", description="The timelog's id (UUID)")]
Limit = Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)]
LIST_SUMMARY = "Timelogs you may see, newest first, with totals (billable too)"


@router.get(
    "/cases/{id}/timelogs", responses=problem_responses(401, 403, 404, 422), summary=LIST_SUMMARY
)
async def list_case_timelogs(
    case_id: CaseId,
    field: FieldServiceDep,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> TimelogPage:
    request = mappers.list_timelogs_request(limit, cursor, case_id=str(case_id))
    return mappers.timelog_page(await field.ListTimelogs(request))


@router.post(
    "/cases/{id}/timelogs",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 413, 422),
    summary="Log time spent on the case",
)
async def log_case_time(
    case_id: CaseId, body: TimelogCreate, field: FieldServiceDep
) -> TimelogRead:
    request = mappers.create_timelog_request(body, case_id=str(case_id))
    return mappers.timelog_read(await field.CreateTimelog(request))


@router.get(
    "/work-orders/{id}/timelogs",
    responses=problem_responses(401, 403, 404, 422),
    summary=LIST_SUMMARY,
)
async def list_work_order_timelogs(
    order_id: OrderId,
    field: FieldServiceDep,
    limit: Limit = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> TimelogPage:
    request = mappers.list_timelogs_request(limit, cursor, work_order_id=str(order_id))
    return mappers.timelog_page(await field.ListTimelogs(request))


@router.post(
    "/work-orders/{id}/timelogs",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 413, 422),
    summary="Log time spent on the work order",
)
async def log_work_order_time(
    order_id: OrderId, body: TimelogCreate, field: FieldServiceDep
) -> TimelogRead:
    request = mappers.create_timelog_request(body, work_order_id=str(order_id))
    return mappers.timelog_read(await field.CreateTimelog(request))


@router.delete(
    "/timelogs/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 422),
    summary="Remove a timelog for good (yours; others' need timelogs:delete)",
)
async def delete_timelog(timelog_id: TimelogId, field: FieldServiceDep) -> Response:
    await field.DeleteTimelog(pb.DeleteFieldRecordRequest(id=str(timelog_id)))
    return Response(status_code=204)
