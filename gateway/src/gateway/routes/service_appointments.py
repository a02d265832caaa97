"""Service appointments (the support service decides access, module
work_orders); this router only parses, calls and maps."""

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
    AppointmentCreate,
    AppointmentPage,
    AppointmentRead,
    AppointmentUpdate,
    Moment,
)

router = APIRouter(
    prefix="/service-appointments", tags=["field service"], dependencies=[RequireUser]
)

VisitId = Annotated[UUID, Path(alias="id", description="The appointment's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]
StatusFilter = Literal["scheduled", "dispatched", "in_progress", "completed", "cancelled"]


def _with_etag(response: Response, visit: AppointmentRead) -> AppointmentRead:
    response.headers["ETag"] = etag(visit.version)
    return visit


@router.get(
    "",
    responses=problem_responses(401, 403, 422),
    summary="Appointments you may see, by scheduled start",
)
async def list_service_appointments(
    field: FieldServiceDep,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    work_order_id: UUID | None = None,
    technician_id: UUID | None = None,
    status: StatusFilter | None = None,
    starts_from: Annotated[Moment | None, Query(description="Ending after this")] = None,
    starts_before: Annotated[Moment | None, Query(description="Starting before this")] = None,
) -> AppointmentPage:
    filters = {"work_order_id": work_order_id, "technician_id": technician_id, "status": status,
               "starts_from": starts_from, "starts_before": starts_before}  # fmt: skip
    request = mappers.list_appointments_request(limit, cursor, filters)
    return mappers.appointment_page(await field.ListServiceAppointments(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Book a technician's visit (409 if the technician is booked then)",
)
async def create_service_appointment(
    body: AppointmentCreate, field: FieldServiceDep, response: Response
) -> AppointmentRead:
    made = await field.CreateServiceAppointment(mappers.create_appointment_request(body))
    visit = mappers.appointment_read(made)
    response.headers["Location"] = f"{API_PREFIX}/service-appointments/{visit.id}"
    return _with_etag(response, visit)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One appointment")
async def get_service_appointment(
    visit_id: VisitId, field: FieldServiceDep, response: Response
) -> AppointmentRead:
    found = await field.GetServiceAppointment(pb.GetServiceAppointmentRequest(id=str(visit_id)))
    return _with_etag(response, mappers.appointment_read(found))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Reschedule, reassign or change the status",
)
async def update_service_appointment(
    visit_id: VisitId,
    body: AppointmentUpdate,
    field: FieldServiceDep,
    response: Response,
    if_match: IfMatch = None,
) -> AppointmentRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_appointment_request(str(visit_id), body, version)
    changed = await field.UpdateServiceAppointment(request)
    return _with_etag(response, mappers.appointment_read(changed))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Move the appointment to the recycle bin",
)
async def delete_service_appointment(
    visit_id: VisitId, field: FieldServiceDep, if_match: IfMatch = None
) -> Response:
    version = expected_version(if_match, None)
    request = pb.DeleteFieldRecordRequest(id=str(visit_id), expected_version=version)
    await field.DeleteServiceAppointment(request)
    return Response(status_code=204)
