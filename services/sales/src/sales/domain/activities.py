"""Value rules of activities (tasks, calls, meetings): pure functions, no I/O.

Every violated field is reported at once (422 naming each field). Rules judge the
activity as it would be after a change, so a PATCH cannot leave it inconsistent
(a meeting without an end, an end before its start).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from crm_common.errors import FieldViolation, InvalidArgument
from sales.domain.rules import EMAIL

# Subject of the event a due reminder records (payload: activities.proto ActivityDue).
ACTIVITY_DUE = "crm.sales.activity.due"

TYPES = ("task", "call", "meeting")
RELATED_TYPES = ("lead", "account", "contact", "deal")
STATUSES = ("open", "in_progress", "completed", "cancelled")
CLOSED_STATUSES = ("completed", "cancelled")
PRIORITIES = ("low", "normal", "high")
DIRECTIONS = ("inbound", "outbound")
LIMITS = {"subject": 200, "description": 5000, "location": 300, "outcome": 200}
MAX_ATTENDEES = 100
MAX_DURATION_SECONDS = 7 * 24 * 3600
ATTENDEE_KEYS = ("user_id", "contact_id", "email")

# Fields only some types have; anything else is common to every type.
TYPE_FIELDS = {
    "task": frozenset({"due_at"}),
    "call": frozenset({"due_at", "start_at", "end_at", "direction", "duration_seconds", "outcome"}),
    "meeting": frozenset({"start_at", "end_at", "location", "attendees"}),
}
SPECIFIC_FIELDS = frozenset().union(*TYPE_FIELDS.values())
EMPTY: Mapping[str, Any] = {
    "description": "",
    "location": "",
    "attendees": [],
    "direction": "",
    "outcome": "",
}
NEW_DEFAULTS: Mapping[str, Any] = {**EMPTY, "status": "open", "priority": "normal"}


def clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Strings trimmed, e-mail attendees lower-cased."""
    cleaned = dict(values)
    for name in (*LIMITS, "type", "related_type", "status", "priority", "direction"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip()
    if isinstance(cleaned.get("attendees"), list):
        cleaned["attendees"] = [_clean_attendee(a) for a in cleaned["attendees"]]
    return cleaned


def _clean_attendee(attendee: Mapping[str, Any]) -> dict[str, str]:
    found = {k: str(attendee.get(k) or "").strip() for k in ATTENDEE_KEYS}
    if found["email"]:
        found["email"] = found["email"].lower()
    return {k: v for k, v in found.items() if v}


def validate(merged: Mapping[str, Any]) -> None:
    """``merged``: the activity as it would be (columns of ActivityRow)."""
    found = _choices(merged) + _lengths(merged)
    if not merged.get("subject"):
        found.append(FieldViolation("subject", "an activity needs a subject"))
    if not merged.get("related_id"):
        found.append(FieldViolation("related_id", "an activity belongs to a record"))
    kind = merged.get("type")
    if kind in TYPE_FIELDS:
        found += _type_violations(str(kind), merged)
    found += _time_violations(merged) + _attendee_violations(merged.get("attendees") or [])
    duration = merged.get("duration_seconds")
    if duration is not None and not 0 <= int(duration) <= MAX_DURATION_SECONDS:
        found.append(FieldViolation("duration_seconds", "must be between 0 and 604800"))
    if found:
        summary = "; ".join(f"{v.field}: {v.message}" for v in found[:3])
        raise InvalidArgument(f"the activity is invalid ({summary})", found)


def _choices(merged: Mapping[str, Any]) -> list[FieldViolation]:
    choices = {
        "type": TYPES,
        "related_type": RELATED_TYPES,
        "status": STATUSES,
        "priority": PRIORITIES,
    }
    found = [
        FieldViolation(name, f"must be one of {', '.join(allowed)}")
        for name, allowed in choices.items()
        if merged.get(name) not in allowed
    ]
    if merged.get("direction") and merged["direction"] not in DIRECTIONS:
        found.append(FieldViolation("direction", "must be inbound or outbound"))
    return found


def _lengths(merged: Mapping[str, Any]) -> list[FieldViolation]:
    return [
        FieldViolation(name, f"at most {limit} characters")
        for name, limit in LIMITS.items()
        if len(str(merged.get(name) or "")) > limit
    ]


def _type_violations(kind: str, merged: Mapping[str, Any]) -> list[FieldViolation]:
    """Fields another type has must stay empty; a meeting has a start and an end."""
    foreign = sorted(SPECIFIC_FIELDS - TYPE_FIELDS[kind])
    found = [
        FieldViolation(name, f"a {kind} has no {name}")
        for name in foreign
        if merged.get(name) not in (None, "", [])
    ]
    if kind == "meeting":
        found += [
            FieldViolation(name, "a meeting needs a start and an end")
            for name in ("start_at", "end_at")
            if merged.get(name) is None
        ]
    return found


def _time_violations(merged: Mapping[str, Any]) -> list[FieldViolation]:
    start, end = merged.get("start_at"), merged.get("end_at")
    if isinstance(start, datetime) and isinstance(end, datetime) and end <= start:
        return [FieldViolation("end_at", "must be after start_at")]
    if end is not None and start is None and merged.get("type") == "call":
        return [FieldViolation("start_at", "a call with an end needs a start")]
    return []


def _attendee_violations(attendees: list[dict[str, str]]) -> list[FieldViolation]:
    if len(attendees) > MAX_ATTENDEES:
        return [FieldViolation("attendees", f"at most {MAX_ATTENDEES} attendees")]
    for index, attendee in enumerate(attendees):
        problem = _attendee_problem(attendee)
        if problem:
            return [FieldViolation("attendees", f"attendee {index + 1}: {problem}")]
    return []


def _attendee_problem(attendee: dict[str, str]) -> str:
    if len(attendee) != 1:
        return "give exactly one of user_id, contact_id, email"
    ((key, value),) = attendee.items()
    if key == "email":
        return "" if EMAIL.match(value) else "email is not an e-mail address"
    try:
        uuid.UUID(value)
    except ValueError:
        return f"{key} must be a UUID"
    return ""


def completed_at(status: str, previous: datetime | None, now: datetime) -> datetime | None:
    """When the activity was completed: kept while it stays completed."""
    if status != "completed":
        return None
    return previous or now


def reminder_armed(status: str) -> bool:
    """Closed activities never remind."""
    return status not in CLOSED_STATUSES
