"""Notifications' protobuf messages to the API's JSON shapes."""

from __future__ import annotations

from uuid import UUID

from crm.notifications.v1 import notifications_pb2 as pb
from crm_common.wire import time_field
from gateway.schemas.notifications import (
    FollowPage,
    FollowRead,
    NotificationPage,
    NotificationRead,
)


def follow_read(follow: pb.FollowRecord) -> FollowRead:
    return FollowRead(
        id=UUID(follow.id), record_type=follow.record_type, record_id=UUID(follow.record_id),
        created_at=time_field(follow, "created_at"),
    )  # fmt: skip


def follow_page(response: pb.ListFollowsResponse) -> FollowPage:
    return FollowPage(
        items=[follow_read(f) for f in response.follows], next_cursor=response.next_cursor or None
    )


def notification_read(item: pb.Notification) -> NotificationRead:
    return NotificationRead(
        id=UUID(item.id), type=item.type, title=item.title, body=item.body,
        record_type=item.record_type, record_id=UUID(item.record_id) if item.record_id else None,
        event_id=UUID(item.event_id),
        read_at=time_field(item, "read_at"), created_at=time_field(item, "created_at"),
    )  # fmt: skip


def notification_page(response: pb.ListNotificationsResponse) -> NotificationPage:
    return NotificationPage(
        items=[notification_read(n) for n in response.notifications],
        next_cursor=response.next_cursor or None,
        unread_count=response.unread_count,
    )
