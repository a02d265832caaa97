"""SlaService: where pb2 messages meet calendar and policy rows and handler input."""

from __future__ import annotations

import uuid
from typing import Any

from crm.common.v1 import types_pb2
from crm.support.v1 import sla_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from crm_common.wire import parse_uuid, to_timestamp
from support.adapters.orm_sla import BusinessHoursRow, SlaPolicyRow
from support.domain.calendars import WEEKDAYS

CALENDAR_MASK = frozenset({"name", "timezone", "weekly", "holidays", "always_open"})
POLICY_MASK = frozenset(
    {
        "name",
        "position",
        "active",
        "conditions",
        "business_hours_id",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "warning_percent",
        "pause_statuses",
        "escalations",
    }
)


def page_to_pb(page: Page[Any]) -> types_pb2.PageResponse:
    return types_pb2.PageResponse(next_cursor=page.next_cursor or "")


def _str(value: uuid.UUID | None) -> str:
    return str(value) if value is not None else ""


def _optional_uuid(value: str, field: str) -> uuid.UUID | None:
    return parse_uuid(value, field) if value else None


# -- business hours ---------------------------------------------------------------


def weekly_from_pb(days: Any) -> dict[str, list[list[str]]]:
    """``repeated DayHours`` as the stored form; a day named twice is refused."""
    out: dict[str, list[list[str]]] = {}
    for i, day in enumerate(days):
        if day.day in out:
            raise InvalidArgument.for_field(f"weekly.{day.day}", "each weekday at most once")
        if day.day not in WEEKDAYS:
            raise InvalidArgument.for_field(
                f"weekly[{i}].day", "weekday keys are mon, tue, wed, thu, fri, sat, sun"
            )
        out[day.day] = [[iv.start, iv.end] for iv in day.intervals]
    return out


def weekly_to_pb(weekly: dict[str, Any]) -> list[pb.DayHours]:
    return [
        pb.DayHours(
            day=day,
            intervals=[pb.TimeInterval(start=a, end=b) for a, b in weekly.get(day) or []],
        )
        for day in WEEKDAYS
        if weekly.get(day)
    ]


def create_calendar_values(request: pb.CreateBusinessHoursRequest) -> dict[str, Any]:
    return {
        "name": request.name,
        "timezone": request.timezone,
        "weekly": weekly_from_pb(request.weekly),
        "holidays": list(request.holidays),
        "always_open": request.always_open,
    }


def update_calendar_changes(request: pb.UpdateBusinessHoursRequest) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in request.update_mask:
        if name not in CALENDAR_MASK:
            raise InvalidArgument.for_field("update_mask", f"unknown field {name!r}")
        if name == "weekly":
            changes[name] = weekly_from_pb(request.weekly)
        elif name == "holidays":
            changes[name] = list(request.holidays)
        else:
            changes[name] = getattr(request, name)
    return changes


def calendar_to_pb(row: BusinessHoursRow) -> pb.BusinessHours:
    return pb.BusinessHours(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        name=row.name,
        timezone=row.timezone,
        weekly=weekly_to_pb(row.weekly or {}),
        holidays=list(row.holidays or []),
        always_open=row.always_open,
        version=row.version,
        created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
        created_by=_str(row.created_by),
        updated_by=_str(row.updated_by),
    )


# -- policies ---------------------------------------------------------------------


def _escalations(items: Any) -> list[dict[str, Any]]:
    return [
        {
            "level": e.level,
            "after_minutes": e.after_minutes,
            "group_id": e.group_id or None,
            "notify_manager": e.notify_manager,
        }
        for e in items
    ]


def _target(message: Any, name: str) -> int | None:
    return int(getattr(message, name)) if message.HasField(name) else None


def _conditions(c: pb.PolicyConditions) -> dict[str, Any]:
    return {
        "priorities": list(c.priorities),
        "account_tiers": list(c.account_tiers),
        "service_contract_ids": list(c.service_contract_ids),
    }


def create_policy_values(request: pb.CreateSlaPolicyRequest) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": request.name,
        **_conditions(request.conditions),
        "business_hours_id": _optional_uuid(request.business_hours_id, "business_hours_id"),
        "first_response_minutes": _target(request, "first_response_minutes"),
        "next_response_minutes": _target(request, "next_response_minutes"),
        "resolution_minutes": _target(request, "resolution_minutes"),
        "escalations": _escalations(request.escalations),
    }
    if request.HasField("position"):
        values["position"] = request.position
    if request.HasField("active"):
        values["active"] = request.active
    if request.HasField("warning_percent"):
        values["warning_percent"] = request.warning_percent
    if request.pause_statuses_set or request.pause_statuses:
        values["pause_statuses"] = list(request.pause_statuses)
    return values


def update_policy_changes(request: pb.UpdateSlaPolicyRequest) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name in request.update_mask:
        if name not in POLICY_MASK:
            raise InvalidArgument.for_field("update_mask", f"unknown field {name!r}")
        if name == "conditions":
            changes.update(_conditions(request.conditions))
        elif name == "business_hours_id":
            changes[name] = _optional_uuid(request.business_hours_id, "business_hours_id")
        elif name in ("first_response_minutes", "next_response_minutes", "resolution_minutes"):
            changes[name] = _target(request, name)
        elif name == "pause_statuses":
            changes[name] = list(request.pause_statuses)
        elif name == "escalations":
            changes[name] = _escalations(request.escalations)
        else:
            changes[name] = getattr(request, name)
    return changes


def policy_to_pb(row: SlaPolicyRow) -> pb.SlaPolicy:
    message = pb.SlaPolicy(
        id=str(row.id),
        tenant_id=str(row.tenant_id),
        name=row.name,
        position=row.position,
        active=row.active,
        conditions=pb.PolicyConditions(
            priorities=list(row.priorities or []),
            account_tiers=list(row.account_tiers or []),
            service_contract_ids=list(row.service_contract_ids or []),
        ),
        business_hours_id=_str(row.business_hours_id),
        warning_percent=row.warning_percent,
        pause_statuses=list(row.pause_statuses or []),
        escalations=[
            pb.SlaEscalation(
                level=int(e.get("level", 0)),
                after_minutes=int(e.get("after_minutes", 0)),
                group_id=e.get("group_id") or "",
                notify_manager=bool(e.get("notify_manager", False)),
            )
            for e in row.escalations or []
        ],
        version=row.version,
        created_at=to_timestamp(row.created_at),
        updated_at=to_timestamp(row.updated_at),
        created_by=_str(row.created_by),
        updated_by=_str(row.updated_by),
    )
    for name in ("first_response_minutes", "next_response_minutes", "resolution_minutes"):
        value = getattr(row, name)
        if value is not None:
            setattr(message, name, value)
    return message
