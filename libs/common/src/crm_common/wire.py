"""Conversions every service and the gateway need at their protobuf edge."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from crm_common.errors import InvalidArgument


def to_timestamp(value: datetime | None) -> Timestamp | None:
    """A protobuf Timestamp, or None to leave the field unset."""
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def time_field(message: Message, name: str) -> datetime | None:
    """A Timestamp field as an aware UTC datetime; None when unset."""
    if not message.HasField(name):
        return None
    stamp: Timestamp = getattr(message, name)
    return stamp.ToDatetime(tzinfo=UTC)


def parse_uuid(value: str, field: str = "id") -> uuid.UUID:
    """A UUID from the wire, or a 422 naming the field."""
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise InvalidArgument.for_field(field, "must be a UUID") from exc
