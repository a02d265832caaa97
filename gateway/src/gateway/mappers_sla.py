"""Business-hours calendars and SLA policies: pb2 <-> schema conversion, the one
place for them."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from crm.support.v1 import sla_pb2 as pb
from gateway.mappers import page_request
from gateway.proto_json import plain
from gateway.schemas.sla import (
    BusinessHoursCreate,
    BusinessHoursPage,
    BusinessHoursRead,
    BusinessHoursUpdate,
    EscalationIn,
    SlaPolicyCreate,
    SlaPolicyMatch,
    SlaPolicyPage,
    SlaPolicyRead,
    SlaPolicyUpdate,
    WeeklyHours,
)

OPTIONAL = frozenset({"created_by", "updated_by", "business_hours_id", "group_id"})
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CALENDAR_UPDATABLE = ("name", "timezone", "weekly", "holidays", "always_open")
POLICY_UPDATABLE = (
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
)


def _plain(message: Message) -> dict[str, Any]:
    return plain(message, OPTIONAL)


# ---- business hours ----


def _weekly(weekly: WeeklyHours) -> list[pb.DayHours]:
    return [
        pb.DayHours(
            day=day,
            intervals=[pb.TimeInterval(start=a, end=b) for a, b in getattr(weekly, day)],
        )
        for day in WEEKDAYS
        if getattr(weekly, day)
    ]


def create_calendar_request(body: BusinessHoursCreate) -> pb.CreateBusinessHoursRequest:
    return pb.CreateBusinessHoursRequest(
        name=body.name,
        timezone=body.timezone,
        weekly=_weekly(body.weekly),
        holidays=[d.isoformat() for d in body.holidays],
        always_open=body.always_open,
    )


def update_calendar_request(
    calendar_id: str, body: BusinessHoursUpdate, expected_version: int
) -> pb.UpdateBusinessHoursRequest:
    present = [name for name in CALENDAR_UPDATABLE if name in body.model_fields_set]
    request = pb.UpdateBusinessHoursRequest(
        id=calendar_id, update_mask=present, expected_version=expected_version
    )
    if body.name is not None:
        request.name = body.name
    if body.timezone is not None:
        request.timezone = body.timezone
    if body.weekly is not None:
        request.weekly.extend(_weekly(body.weekly))
    if body.holidays is not None:
        request.holidays.extend(d.isoformat() for d in body.holidays)
    if body.always_open is not None:
        request.always_open = body.always_open
    return request


def calendar_read(message: pb.BusinessHours) -> BusinessHoursRead:
    data = _plain(message)
    data["weekly"] = {
        day.day: [[iv.start, iv.end] for iv in day.intervals] for day in message.weekly
    }
    return BusinessHoursRead.model_validate(data)


def calendar_page(response: pb.ListBusinessHoursResponse) -> BusinessHoursPage:
    items = [calendar_read(c) for c in response.items]
    return BusinessHoursPage(items=items, next_cursor=response.page.next_cursor or None)


# ---- policies ----


def _escalations(items: list[EscalationIn]) -> list[pb.SlaEscalation]:
    return [
        pb.SlaEscalation(
            level=e.level,
            after_minutes=e.after_minutes,
            group_id=str(e.group_id) if e.group_id else "",
            notify_manager=e.notify_manager,
        )
        for e in items
    ]


def _conditions(body: SlaPolicyCreate | SlaPolicyUpdate) -> pb.PolicyConditions:
    c = body.conditions
    if c is None:
        return pb.PolicyConditions()
    return pb.PolicyConditions(
        priorities=list(c.priorities),
        account_tiers=list(c.account_tiers),
        service_contract_ids=[str(i) for i in c.service_contract_ids],
    )


def create_policy_request(body: SlaPolicyCreate) -> pb.CreateSlaPolicyRequest:
    request = pb.CreateSlaPolicyRequest(
        name=body.name,
        active=body.active,
        conditions=_conditions(body),
        business_hours_id=str(body.business_hours_id) if body.business_hours_id else "",
        warning_percent=body.warning_percent,
        escalations=_escalations(body.escalations),
    )
    if body.position is not None:
        request.position = body.position
    for name in ("first_response_minutes", "next_response_minutes", "resolution_minutes"):
        value = getattr(body, name)
        if value is not None:
            setattr(request, name, value)
    if body.pause_statuses is not None:
        request.pause_statuses.extend(body.pause_statuses)
        request.pause_statuses_set = True
    return request


def update_policy_request(
    policy_id: str, body: SlaPolicyUpdate, expected_version: int
) -> pb.UpdateSlaPolicyRequest:
    present = [name for name in POLICY_UPDATABLE if name in body.model_fields_set]
    request = pb.UpdateSlaPolicyRequest(
        id=policy_id, update_mask=present, expected_version=expected_version
    )
    if body.name is not None:
        request.name = body.name
    if body.position is not None:
        request.position = body.position
    if body.active is not None:
        request.active = body.active
    if body.conditions is not None:
        request.conditions.CopyFrom(_conditions(body))
    if body.business_hours_id is not None:
        request.business_hours_id = str(body.business_hours_id)
    for name in ("first_response_minutes", "next_response_minutes", "resolution_minutes"):
        value = getattr(body, name)
        if value is not None:
            setattr(request, name, value)
    if body.warning_percent is not None:
        request.warning_percent = body.warning_percent
    if body.pause_statuses is not None:
        request.pause_statuses.extend(body.pause_statuses)
    if body.escalations is not None:
        request.escalations.extend(_escalations(body.escalations))
    return request


def list_policies_request(
    limit: int, cursor: str | None, *, active: bool | None
) -> pb.ListSlaPoliciesRequest:
    request = pb.ListSlaPoliciesRequest(page=page_request(limit, cursor))
    if active is not None:
        request.active = active
    return request


def policy_read(message: pb.SlaPolicy) -> SlaPolicyRead:
    return SlaPolicyRead.model_validate(_plain(message))


def policy_page(response: pb.ListSlaPoliciesResponse) -> SlaPolicyPage:
    items = [policy_read(p) for p in response.items]
    return SlaPolicyPage(items=items, next_cursor=response.page.next_cursor or None)


def match_read(response: pb.MatchSlaPolicyResponse) -> SlaPolicyMatch:
    if not response.matched:
        return SlaPolicyMatch(matched=False)
    return SlaPolicyMatch(matched=True, policy=policy_read(response.policy))
