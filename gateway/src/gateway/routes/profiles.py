"""Profiles: what their holders may do per module, and which fields they see."""

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
from gateway.schemas.access import ProfileCreate, ProfilePage, ProfileRead, ProfileUpdate
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor

router = APIRouter(prefix="/profiles", tags=["profiles"], dependencies=[RequireUser])

ProfileId = Annotated[UUID, Path(alias="id", description="The profile's id (UUID)")]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='Version ETag, e.g. "3"')]


def _with_etag(response: Response, profile: ProfileRead) -> ProfileRead:
    response.headers["ETag"] = etag(profile.version)
    return profile


@router.get("", responses=problem_responses(401, 403, 422), summary="Profiles of the tenant")
async def list_profiles(
    access: AccessStub,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> ProfilePage:
    return mappers.profile_page(await access.ListProfiles(mappers.list_request(limit, cursor)))


@router.post(
    "",
    status_code=201,
    dependencies=[UserIdempotency],
    responses=problem_responses(401, 403, 409, 413, 422),
    summary="Create a profile",
)
async def create_profile(
    body: ProfileCreate, access: AccessStub, response: Response
) -> ProfileRead:
    profile = mappers.profile_read(await access.CreateProfile(mappers.profile_input(body)))
    response.headers["Location"] = f"{API_PREFIX}/profiles/{profile.id}"
    return _with_etag(response, profile)


@router.get("/{id}", responses=problem_responses(401, 403, 404, 422), summary="One profile")
async def get_profile(profile_id: ProfileId, access: AccessStub, response: Response) -> ProfileRead:
    profile = await access.GetProfile(pb.GetByIdRequest(id=str(profile_id)))
    return _with_etag(response, mappers.profile_read(profile))


@router.patch(
    "/{id}",
    responses=problem_responses(401, 403, 404, 409, 413, 422),
    summary="Change the fields present in the body (If-Match or version: optimistic check)",
)
async def update_profile(
    profile_id: ProfileId,
    body: ProfileUpdate,
    access: AccessStub,
    response: Response,
    if_match: IfMatch = None,
) -> ProfileRead:
    version = expected_version(if_match, body.version)
    request = mappers.update_profile_request(str(profile_id), body, version)
    return _with_etag(response, mappers.profile_read(await access.UpdateProfile(request)))


@router.delete(
    "/{id}",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Delete a profile no user or API key holds (system profiles stay)",
)
async def delete_profile(profile_id: ProfileId, access: AccessStub) -> Response:
    await access.DeleteProfile(pb.GetByIdRequest(id=str(profile_id)))
    return Response(status_code=204)
