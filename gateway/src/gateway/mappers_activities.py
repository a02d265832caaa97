"""Activities: pb2 <-> schema conversion, the one place for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crm.sales.v1 import activities_pb2 as pb
from crm_common.wire import time_field, to_timestamp
from gateway.mappers import page_request
from gateway.schemas.activities import (
    ActivityCreate,
    ActivityPage,
    ActivityRead,
    ActivityUpdate,
    Attendee,
    AttendeeRead,
)

TEXT = ("subject", "description", "related_type", "related_id", "status", "priority")
MORE_TEXT = ("location", "outcome", "direction", "owner_id")
TIMES = ("due_at", "start_at", "end_at", "reminder_at")
UPDATABLE = (*TEXT, *MORE_TEXT, *TIMES, "attendees", "duration_seconds")


def _attendee(value: Attendee) -> pb.Attendee:
    return pb.Attendee(**{k: v for k, v in value.model_dump().items() if v})


def _values(body: ActivityCreate | ActivityUpdate, names: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        value = getattr(body, name)
        if name == "attendees":
            values[name] = [_attendee(a) for a in value or []]
        elif name in TIMES:
            values[name] = to_timestamp(value)
        elif value is not None:
            values[name] = value
    return values


def create_activity_request(body: ActivityCreate) -> pb.CreateActivityRequest:
    return pb.CreateActivityRequest(type=body.type, **_values(body, UPDATABLE))


def update_activity_request(
    activity_id: str, body: ActivityUpdate, expected_version: int
) -> pb.UpdateActivityRequest:
    present = tuple(name for name in UPDATABLE if name in body.model_fields_set)
    return pb.UpdateActivityRequest(
        id=activity_id, update_mask=present, expected_version=expected_version,
        **_values(body, present),
    )  # fmt: skip


def list_activities_request(
    limit: int, cursor: str | None, filters: dict[str, Any]
) -> pb.ListActivitiesRequest:
    times = {k: to_timestamp(v) for k, v in filters.items() if isinstance(v, datetime)}
    text = {k: str(v) for k, v in filters.items() if v is not None and k not in times}
    return pb.ListActivitiesRequest(page=page_request(limit, cursor), **text, **times)


def activity_read(activity: pb.Activity) -> ActivityRead:
    return ActivityRead(
        id=activity.id,
        tenant_id=activity.tenant_id,
        type=activity.type,
        owner_id=activity.owner_id,
        **{name: getattr(activity, name) for name in (*TEXT, "location", "outcome")},
        direction=activity.direction or None,
        duration_seconds=activity.duration_seconds if activity.type == "call" else None,
        attendees=[_attendee_read(a) for a in activity.attendees],
        due_at=time_field(activity, "due_at"),
        start_at=time_field(activity, "start_at"),
        end_at=time_field(activity, "end_at"),
        reminder_at=time_field(activity, "reminder_at"),
        reminded_at=time_field(activity, "reminded_at"),
        completed_at=time_field(activity, "completed_at"),
        version=activity.version,
        created_at=time_field(activity, "created_at"),
        updated_at=time_field(activity, "updated_at"),
        created_by=activity.created_by or None,
        updated_by=activity.updated_by or None,
        hidden_fields=list(activity.hidden_fields),
    )


def _attendee_read(attendee: pb.Attendee) -> AttendeeRead:
    return AttendeeRead(
        user_id=attendee.user_id or None,
        contact_id=attendee.contact_id or None,
        email=attendee.email or None,
    )


def activity_page(response: pb.ListActivitiesResponse) -> ActivityPage:
    return ActivityPage(
        items=[activity_read(a) for a in response.items],
        next_cursor=response.page.next_cursor or None,
    )
