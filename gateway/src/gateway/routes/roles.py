"""The roles tree: one root per tenant, every other role below a parent."""

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
from gateway.schemas.access import RoleCreate, RolePage, RoleRead, RoleUpdate
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor

router = APIRouter(prefix="/roles", tags=["roles"], dependencies=[RequireUser])

RoleId = Annotated[UUID, Path(alias="id", description="The role's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, role: RoleRead) -> RoleRead:
    response.headers["ETag"] = etag(role.version)
    return role


@router.get("", responses=problem_responses(401, 403, 422), summary="Roles of the tenant")
async def list_roles(
    access: AccessStub,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> RolePage:
    return mappers.role_page(await access.ListRoles(mappers.list_request(limit, cursor)))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Create a role below parent_id",
)
async def create_role(body: RoleCreate, access: AccessStub, response: Response) -> RoleRead:
    role = mappers.role_read(await access.CreateRole(mappers.create_role_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/roles/{role.id}"
    return _with_etag(response, role)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One role")
async def get_role(role_id: RoleId, access: AccessStub, response: Response) -> RoleRead:
    role = await access.GetRole(pb.GetByIdRequest(id=str(role_id)))
    return _with_etag(response, mappers.role_read(role))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Rename, or move with its subtree (If-Match or version: optimistic check)",
)
async def update_role(
    role_id: RoleId,
    body: RoleUpdate,
    access: AccessStub,
    response: Response,
    if_match: IfMatch = None,
) -> RoleRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_role_request(str(role_id), body, version)
    return _with_etag(response, mappers.role_read(await access.UpdateRole(request)))


@router.delete(
    "/{id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Delete a role without users or roles below it",
)
async def delete_role(role_id: RoleId, access: AccessStub) -> Response:
    await access.DeleteRole(pb.GetByIdRequest(id=str(role_id)))
    return Response(status_code=204)
