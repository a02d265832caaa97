"""Business-hours calendars (the support service decides access: module cases, view
to read, edit to change); this router only parses, calls and maps."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.support.v1 import sla_pb2 as pb
from gateway import mappers_sla as mappers
from gateway.deps import RequireUser, SlaStub, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.mappers import page_request
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.sla import (
    BusinessHoursCreate,
    BusinessHoursPage,
    BusinessHoursRead,
    BusinessHoursUpdate,
)

router = APIRouter(prefix="/business-hours", tags=["sla"], dependencies=[RequireUser])

CalendarId = Annotated[UUID, Path(alias="id", description="The calendar's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, calendar: BusinessHoursRead) -> BusinessHoursRead:
    response.headers["ETag"] = etag(calendar.version)
    return calendar


@router.get("", responses=problem_responses(401, 403, 422), summary="Business-hours calendars")
async def list_business_hours(
    sla: SlaStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> BusinessHoursPage:
    request = pb.ListBusinessHoursRequest(page=page_request(limit, cursor))
    return mappers.calendar_page(await sla.ListBusinessHours(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Add a business-hours calendar",
)
async def create_business_hours(
    body: BusinessHoursCreate, sla: SlaStub, response: Response
) -> BusinessHoursRead:
    message = await sla.CreateBusinessHours(mappers.create_calendar_request(body))
    calendar = mappers.calendar_read(message)
    response.headers["Location"] = f"{API_PREFIX}/business-hours/{calendar.id}"
    return _with_etag(response, calendar)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One calendar")
async def get_business_hours(
    calendar_id: CalendarId, sla: SlaStub, response: Response
) -> BusinessHoursRead:
    message = await sla.GetBusinessHours(pb.GetBusinessHoursRequest(id=str(calendar_id)))
    return _with_etag(response, mappers.calendar_read(message))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body",
)
async def update_business_hours(
    calendar_id: CalendarId,
    body: BusinessHoursUpdate,
    sla: SlaStub,
    response: Response,
    if_match: IfMatch = None,
) -> BusinessHoursRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_calendar_request(str(calendar_id), body, version)
    return _with_etag(response, mappers.calendar_read(await sla.UpdateBusinessHours(request)))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Delete a calendar (409 while an SLA policy uses it)",
)
async def delete_business_hours(
    calendar_id: CalendarId, sla: SlaStub, if_match: IfMatch = None
) -> Response:
    version = expected_version(if_match, None)
    request = pb.DeleteBusinessHoursRequest(id=str(calendar_id), expected_version=version)
    await sla.DeleteBusinessHours(request)
    return Response(status_code=204)
