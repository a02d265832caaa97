"""Follows (the notifications service): the caller follows sales records they may
see, and hears of their changes. Always the caller's own; API keys are refused."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from crm.notifications.v1 import notifications_pb2 as pb
from gateway import mappers_notifications as mappers
from gateway.deps import NotificationStub, RequireUser
from gateway.openapi import problem_responses
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.notifications import FollowCreate, FollowPage, FollowRead

router = APIRouter(prefix="/follows", tags=["notifications"], dependencies=[RequireUser])

FollowId = Annotated[UUID, Path(alias="id", description="The follow's id (UUID)")]


@router.post(
    "",
    status_code=201,
    responses=problem_responses(401, 403, 404, 422),
    summary="Follow a lead, account, contact or deal you may see (again: the same follow)",
)
async def follow(body: FollowCreate, notifications: NotificationStub) -> FollowRead:
    request = pb.FollowRequest(record_type=body.record_type, record_id=str(body.record_id))
    return mappers.follow_read(await notifications.Follow(request))


@router.get("", responses=problem_responses(401, 403, 422), summary="What you follow")
async def list_follows(
    notifications: NotificationStub,
    *,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> FollowPage:
    request = pb.ListFollowsRequest(limit=limit, cursor=cursor or "")
    return mappers.follow_page(await notifications.ListFollows(request))


@router.delete(
    "/{id}", status_code=204, responses=problem_responses(401, 403, 404, 422),
    summary="Stop following",
)  # fmt: skip
async def unfollow(follow_id: FollowId, notifications: NotificationStub) -> Response:
    await notifications.Unfollow(pb.UnfollowRequest(id=str(follow_id)))
    return Response(status_code=204)
