"""Follows and the notification centre (the notifications service)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from gateway.schemas.common import RequestBody, next_cursor_field

RecordType = Literal["lead", "account", "contact", "deal"]


class FollowCreate(RequestBody):
    record_type: RecordType
    record_id: UUID


class FollowRead(BaseModel):
    id: UUID
    record_type: str
    record_id: UUID
    created_at: datetime | None


class FollowPage(BaseModel):
    items: list[FollowRead]
    next_cursor: str | None = next_cursor_field()


class NotificationRead(BaseModel):
    id: UUID
    type: str
    title: str
    body: str
    record_type: str
    record_id: UUID | None
    event_id: UUID
    read_at: datetime | None
    created_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    next_cursor: str | None = next_cursor_field()
    unread_count: int


class ReadAllResult(BaseModel):
    updated: int
