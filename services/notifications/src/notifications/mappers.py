"""Rows to protobuf messages (and nothing else)."""

from __future__ import annotations

from crm.notifications.v1 import notifications_pb2 as pb
from notifications.adapters.orm import FollowRow, NotificationRow


def follow_to_proto(row: FollowRow) -> pb.FollowRecord:
    message = pb.FollowRecord(
        id=str(row.id), record_type=row.record_type, record_id=str(row.record_id)
    )
    message.created_at.FromDatetime(row.created_at)
    return message


def notification_to_proto(row: NotificationRow) -> pb.Notification:
    message = pb.Notification(
        id=str(row.id), type=row.type, title=row.title, body=row.body,
        record_type=row.record_type, record_id=str(row.record_id or ""),
        event_id=str(row.event_id),
    )  # fmt: skip
    message.created_at.FromDatetime(row.created_at)
    if row.read_at is not None:
        message.read_at.FromDatetime(row.read_at)
    return message
