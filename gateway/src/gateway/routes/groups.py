"""Groups of users and roles: they can own records and be named by sharing rules."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response

from crm.identity.v1 import access_pb2 as pb
from gateway import mappers_access as mappers
from gateway.deps import AccessStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.access import GroupCreate, GroupPage, GroupRead, GroupUpdate
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor

router = APIRouter(prefix="/groups", tags=["groups"], dependencies=[RequireUser])

GroupId = Annotated[UUID, Path(alias="id", description="The group's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, group: GroupRead) -> GroupRead:
    response.headers["ETag"] = etag(group.version)
    return group


@router.get("", responses=problem_responses(401, 403, 422), summary="Groups of the tenant")
async def list_groups(
    access: AccessStub,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> GroupPage:
    return mappers.group_page(await access.ListGroups(mappers.list_request(limit, cursor)))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Create a group",
)
async def create_group(body: GroupCreate, access: AccessStub, response: Response) -> GroupRead:
    group = mappers.group_read(await access.CreateGroup(mappers.group_input(body)))
    response.headers["Location"] = f"{API_PREFIX}/groups/{group.id}"
    return _with_etag(response, group)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One group")
async def get_group(group_id: GroupId, access: AccessStub, response: Response) -> GroupRead:
    group = await access.GetGroup(pb.GetByIdRequest(id=str(group_id)))
    return _with_etag(response, mappers.group_read(group))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Rename or replace the members (If-Match or version: optimistic check)",
)
async def update_group(
    group_id: GroupId,
    body: GroupUpdate,
    access: AccessStub,
    response: Response,
    if_match: IfMatch = None,
) -> GroupRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_group_request(str(group_id), body, version)
    return _with_etag(response, mappers.group_read(await access.UpdateGroup(request)))


@router.delete(
    "/{id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Delete a group no sharing rule names",
)
async def delete_group(group_id: GroupId, access: AccessStub) -> Response:
    await access.DeleteGroup(pb.GetByIdRequest(id=str(group_id)))
    return Response(status_code=204)
