from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response
from fastapi.responses import StreamingResponse

from crm.identity.v1 import identity_pb2 as pb
from gateway import mappers, user_export
from gateway.deps import IdentityStub, RequireUser, UserIdempotency
from gateway.etags import etag, expected_version
from gateway.openapi import problem_responses
from gateway.routes.prefix import API_PREFIX
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.users import UserCreate, UserPage, UserRead, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], dependencies=[RequireUser])

UserId = Annotated[UUID, Path(alias="id", description="The user's id (UUID)")]
EXPORT_TIMEOUT_SECONDS = 120.0  # a whole tenant, streamed; the default deadline is for one answer
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, user: UserRead) -> UserRead:
    response.headers["ETag"] = etag(user.version)
    return user


@router.get("", responses=problem_responses(401, 403, 422), summary="Users of the tenant")
async def list_users(
    identity: IdentityStub,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
    include_inactive: bool = False,
) -> UserPage:
    request = pb.ListUsersRequest(
        page=mappers.page_request(limit, cursor), include_inactive=include_inactive
    )
    return mappers.user_page(await identity.ListUsers(request))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Create a user",
)
async def create_user(body: UserCreate, identity: IdentityStub, response: Response) -> UserRead:
    user = mappers.user_read(await identity.CreateUser(mappers.create_user_request(body)))
    response.headers["Location"] = f"{API_PREFIX}/users/{user.id}"
    return _with_etag(response, user)


@router.get(
    "/export",
    responses={
        200: {"content": {"text/csv": {}}, "description": "CSV, one line per user"},
        **problem_responses(401, 403, 422),
    },
    response_class=StreamingResponse,
    summary="The users you may see, as CSV (needs users:export; hidden fields left out)",
)
async def export_users(identity: IdentityStub, include_inactive: bool = False) -> StreamingResponse:
    request = pb.ExportUsersRequest(include_inactive=include_inactive)
    stream = identity.ExportUsers(request, timeout=EXPORT_TIMEOUT_SECONDS)
    first, rest = await user_export.first_and_rest(stream)
    return StreamingResponse(
        user_export.csv_chunks(first, rest),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="users.csv"'},
    )


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One user")
async def get_user(user_id: UserId, identity: IdentityStub, response: Response) -> UserRead:
    user = await identity.GetUser(pb.GetUserRequest(id=str(user_id)))
    return _with_etag(response, mappers.user_read(user))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body (If-Match or version: optimistic check)",
)
async def update_user(
    user_id: UserId,
    body: UserUpdate,
    identity: IdentityStub,
    response: Response,
    if_match: IfMatch = None,
) -> UserRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_user_request(str(user_id), body, version)
    return _with_etag(response, mappers.user_read(await identity.UpdateUser(request)))


@router.delete(
    "/{id}",
    responses=problem_responses(401, 403, 404, 422),
    summary="Disable a user (sign-in refused, sessions revoked); returns the user",
)
async def disable_user(user_id: UserId, identity: IdentityStub, response: Response) -> UserRead:
    user = await identity.DisableUser(pb.DisableUserRequest(id=str(user_id)))
    return _with_etag(response, mappers.user_read(user))
