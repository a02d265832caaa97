"""NotificationService servicer: who is calling, call a handler, map."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeAlias

import grpc

from crm.notifications.v1 import notifications_pb2 as pb
from crm.notifications.v1 import notifications_pb2_grpc
from crm_common.auth import current_principal
from notifications.mappers import follow_to_proto, notification_to_proto
from notifications.service_layer import centre, follows
from notifications.service_layer.deps import Caller, NotificationsDeps, RecordCheck
from notifications.service_layer.live import LiveHub

Context: TypeAlias = grpc.aio.ServicerContext


class NotificationServicer(notifications_pb2_grpc.NotificationServiceServicer):
    def __init__(self, deps: NotificationsDeps, visible: RecordCheck, hub: LiveHub) -> None:
        self._deps = deps
        self._visible = visible
        self._hub = hub

    async def Follow(self, request: pb.FollowRequest, context: Context) -> pb.FollowRecord:
        row = await follows.follow(
            Caller.of(current_principal()), request.record_type, request.record_id,
            self._visible, self._deps,
        )  # fmt: skip
        return follow_to_proto(row)

    async def ListFollows(
        self, request: pb.ListFollowsRequest, context: Context
    ) -> pb.ListFollowsResponse:
        page = await follows.list_follows(
            Caller.of(current_principal()), self._deps,
            limit=request.limit, cursor=request.cursor or None,
        )  # fmt: skip
        return pb.ListFollowsResponse(
            follows=[follow_to_proto(row) for row in page.items],
            next_cursor=page.next_cursor or "",
        )

    async def Unfollow(self, request: pb.UnfollowRequest, context: Context) -> pb.UnfollowResponse:
        await follows.unfollow(Caller.of(current_principal()), request.id, self._deps)
        return pb.UnfollowResponse()

    async def ListNotifications(
        self, request: pb.ListNotificationsRequest, context: Context
    ) -> pb.ListNotificationsResponse:
        found = await centre.list_notifications(
            Caller.of(current_principal()), self._deps, unread=request.unread_only,
            limit=request.limit, cursor=request.cursor or None,
        )  # fmt: skip
        return pb.ListNotificationsResponse(
            notifications=[notification_to_proto(row) for row in found.page.items],
            next_cursor=found.page.next_cursor or "",
            unread_count=found.unread_count,
        )

    async def MarkRead(self, request: pb.MarkReadRequest, context: Context) -> pb.Notification:
        row = await centre.mark_read(Caller.of(current_principal()), request.id, self._deps)
        return notification_to_proto(row)

    async def MarkAllRead(
        self, request: pb.MarkAllReadRequest, context: Context
    ) -> pb.MarkAllReadResponse:
        updated = await centre.mark_all_read(Caller.of(current_principal()), self._deps)
        return pb.MarkAllReadResponse(updated=updated)

    async def Watch(
        self, request: pb.WatchRequest, context: Context
    ) -> AsyncIterator[pb.WatchEvent]:
        caller = Caller.of(current_principal())
        # Subscribed before counting: a notification made meanwhile is not missed.
        with self._hub.watch(str(caller.tenant_id), str(caller.user_id)) as queue:
            unread = await centre.unread_count(caller, self._deps)
            yield pb.WatchEvent(unread_count=unread)
            while True:  # ends when the caller hangs up (the call is cancelled)
                yield pb.WatchEvent(notification=await queue.get())
