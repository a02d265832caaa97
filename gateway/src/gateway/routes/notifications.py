"""The notification centre (the notifications service): the caller's own
notifications, unread count, mark read, and the live stream (Server-Sent Events).
API keys are refused: notifications belong to signed-in users."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse

from crm.notifications.v1 import notifications_pb2 as pb
from gateway import mappers_notifications as mappers
from gateway.deps import NotificationStub, RequireUser, Settings
from gateway.notification_stream import open_stream
from gateway.openapi import problem_responses
from gateway.schemas.common import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, Cursor
from gateway.schemas.notifications import NotificationPage, NotificationRead, ReadAllResult

router = APIRouter(prefix="/notifications", tags=["notifications"], dependencies=[RequireUser])

NotificationId = Annotated[UUID, Path(alias="id", description="The notification's id (UUID)")]


@router.get(
    "", responses=problem_responses(401, 403, 422),
    summary="Your notifications, newest first, with your unread count",
)  # fmt: skip
async def list_notifications(
    notifications: NotificationStub,
    *,
    unread: Annotated[bool, Query(description="Only unread ones")] = False,
    limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = PAGE_LIMIT_DEFAULT,
    cursor: Annotated[Cursor | None, Query()] = None,
) -> NotificationPage:
    request = pb.ListNotificationsRequest(limit=limit, cursor=cursor or "", unread_only=unread)
    return mappers.notification_page(await notifications.ListNotifications(request))


@router.get(
    "/stream",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"},
        **problem_responses(401, 403, 422),
    },
    summary="Live: a `ready` event with your unread count, then a `notification` event each",
)
async def stream_notifications(
    notifications: NotificationStub,
    settings: Settings,
    max_seconds: Annotated[
        float | None, Query(ge=0, description="End the stream after this long (default: 1 h)")
    ] = None,
) -> StreamingResponse:
    return await open_stream(notifications, settings, max_seconds)


@router.post(
    "/read-all", responses=problem_responses(401, 403), summary="Mark all your notifications read"
)
async def read_all(notifications: NotificationStub) -> ReadAllResult:
    answer = await notifications.MarkAllRead(pb.MarkAllReadRequest())
    return ReadAllResult(updated=answer.updated)


@router.post("/{id}/read", responses=problem_responses(401, 403, 404, 422), summary="Mark one read")
async def mark_read(
    notification_id: NotificationId, notifications: NotificationStub
) -> NotificationRead:
    answer = await notifications.MarkRead(pb.MarkReadRequest(id=str(notification_id)))
    return mappers.notification_read(answer)
