"""Activities: where pb2 messages, rows and commands meet."""

from __future__ import annotations

from typing import Any

from crm.sales.v1 import activities_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.wire import parse_uuid, time_field, to_timestamp
from sales.adapters.activity_repository import SORTS, ActivityFilters
from sales.domain import commands
from sales.domain.activities import ATTENDEE_KEYS
from sales.service_layer.activities import VisibleActivity

TEXT = (
    "subject", "description", "related_type", "status", "priority", "location", "direction",
    "outcome",
)  # fmt: skip
TIMES = ("due_at", "start_at", "end_at", "reminder_at")
UPDATABLE = frozenset({*TEXT, *TIMES, "related_id", "owner_id", "attendees", "duration_seconds"})


def activity_to_pb(activity: VisibleActivity) -> pb.Activity:
    row = activity.row
    message = pb.Activity(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        type=row.type,
        related_id=str(row.related_id),
        owner_id=str(row.owner_id),
        **{name: getattr(row, name) for name in TEXT},
        **{name: to_timestamp(getattr(row, name)) for name in (*TIMES, "reminded_at")},
        completed_at=to_timestamp(row.completed_at),
        attendees=[pb.Attendee(**a) for a in row.attendees or []],
        duration_seconds=row.duration_seconds or 0,
        version=row.version,
        created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
        created_by=str(row.created_by or ""),
        updated_by=str(row.updated_by or ""),
    )
    for name in sorted(activity.hidden):
        if name in message.DESCRIPTOR.fields_by_name:
            message.ClearField(name)
            message.hidden_fields.append(name)
    return message


def _attendees(items: Any) -> list[dict[str, str]]:
    return [{key: getattr(a, key) for key in ATTENDEE_KEYS if getattr(a, key)} for a in items]


def _value(req: Any, name: str) -> object:
    if name in TIMES:
        return time_field(req, name)
    if name in ("related_id", "owner_id"):
        return parse_uuid(getattr(req, name), name)
    if name == "attendees":
        return _attendees(req.attendees)
    return getattr(req, name)


def create_activity_cmd(req: pb.CreateActivityRequest) -> commands.CreateRecord:
    """Only the fields the caller gave; type, subject and the related record are
    always judged (missing ones are named in the 422)."""
    values: dict[str, Any] = {"type": req.type, "subject": req.subject}
    values["related_type"] = req.related_type
    given = [name for name in (*TEXT, "related_id", "owner_id") if getattr(req, name)]
    given += [name for name in TIMES if req.HasField(name)]
    given += ["attendees"] if req.attendees else []
    given += ["duration_seconds"] if req.duration_seconds else []
    values.update({name: _value(req, name) for name in given})
    return commands.CreateRecord(values)


def update_activity_cmd(req: pb.UpdateActivityRequest) -> commands.UpdateRecord:
    unknown = set(req.update_mask) - UPDATABLE
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed")
    changes = {name: _value(req, name) for name in req.update_mask}
    return commands.UpdateRecord(parse_uuid(req.id), changes, req.expected_version)


def activity_filters(req: pb.ListActivitiesRequest) -> ActivityFilters:
    if req.sort and req.sort not in SORTS:
        raise InvalidArgument.for_field("sort", f"must be one of {', '.join(SORTS)}")
    if bool(req.related_type) != bool(req.related_id):
        raise InvalidArgument.for_field("related_id", "give related_type and related_id together")
    return ActivityFilters(
        related_type=req.related_type,
        related_id=parse_uuid(req.related_id, "related_id") if req.related_id else None,
        owner_id=parse_uuid(req.owner_id, "owner_id") if req.owner_id else None,
        type=req.type,
        status=req.status,
        due_before=time_field(req, "due_before"),
        due_after=time_field(req, "due_after"),
        sort=req.sort or "created_at",
    )
