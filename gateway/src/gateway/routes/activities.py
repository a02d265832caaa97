"""Activities (the sales service): tasks, calls and meetings on a lead, account,
contact or deal. The owning service decides access; this router only parses,
calls and maps."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response
from pydantic import AwareDatetime

from crm.sales.v1 import activities_pb2 as pb
from gateway import mappers_activities as mappers
from gateway.deps import ActivityStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.activities import (
    ActivityCreate,
    ActivityPage,
    ActivityRead,
    ActivityType,
    ActivityUpdate,
    RelatedType,
    Status,
)
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor

router = APIRouter(prefix="/activities", tags=["activities"], dependencies=[RequireUser])

ActivityId = Annotated[UUID, Path(alias="id", description="The activity's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, activity: ActivityRead) -> ActivityRead:
    response.headers["ETag"] = etag(activity.version)
    return activity


@router.get("", responses=problem_responses(401, 403, 422), summary="Activities you may see")
async def list_activities(
    activities: ActivityStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    related_type: Annotated[RelatedType | None, Query(description="With related_id")] = None,
    related_id: UUID | None = None,
    owner_id: UUID | None = None,
    type: ActivityType | None = None,
    status: Status | None = None,
    due_before: Annotated[AwareDatetime | None, Query(description="due_at before")] = None,
    due_after: Annotated[AwareDatetime | None, Query(description="due_at at or after")] = None,
    sort: Annotated[
        Literal["created_at", "due_at", "start_at"],
        Query(description="Oldest first; by due_at or start_at: soonest first, unset last"),
    ] = "created_at",
) -> ActivityPage:
    filters = {
        "related_type": related_type, "related_id": related_id, "owner_id": owner_id,
        "type": type, "status": status, "due_before": due_before, "due_after": due_after,
        "sort": sort,
    }  # fmt: skip
    request = mappers.list_activities_request(limit, cursor, filters)
    return mappers.activity_page(await activities.ListActivities(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Create a task, call or meeting on a record you may see",
)
async def create_activity(
    body: ActivityCreate, activities: ActivityStub, response: Response
) -> ActivityRead:
    created = await activities.CreateActivity(mappers.create_activity_request(body))
    activity = mappers.activity_read(created)
    response.headers["Location"] = f"{API_PREFIX}/activities/{activity.id}"
    return _with_etag(response, activity)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One activity")
async def get_activity(
    activity_id: ActivityId, activities: ActivityStub, response: Response
) -> ActivityRead:
    found = await activities.GetActivity(pb.GetActivityRequest(id=str(activity_id)))
    return _with_etag(response, mappers.activity_read(found))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body (a new reminder_at re-arms the reminder)",
)
async def update_activity(
    activity_id: ActivityId,
    body: ActivityUpdate,
    activities: ActivityStub,
    response: Response,
    if_match: IfMatch = None,
) -> ActivityRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_activity_request(str(activity_id), body, version)
    return _with_etag(response, mappers.activity_read(await activities.UpdateActivity(request)))


@router.delete(
    "/{id}",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Delete the activity",
)
async def delete_activity(
    activity_id: ActivityId, activities: ActivityStub, if_match: IfMatch = None
) -> Response:
    version = expected_version(if_match, None)
    request = pb.DeleteActivityRequest(id=str(activity_id), expected_version=version)
    await activities.DeleteActivity(request)
    return Response(status_code=204)
