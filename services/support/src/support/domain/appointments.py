"""Service appointments: times, statuses and the technician's overlaps (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from crm_common.errors import FailedPrecondition, FieldViolation, InvalidArgument

SCHEDULED, DISPATCHED, IN_PROGRESS, COMPLETED, CANCELLED = (
    "scheduled",
    "dispatched",
    "in_progress",
    "completed",
    "cancelled",
)
STATUSES = (SCHEDULED, DISPATCHED, IN_PROGRESS, COMPLETED, CANCELLED)
# Appointments that hold the technician's time.
ACTIVE = frozenset({SCHEDULED, DISPATCHED, IN_PROGRESS})
CLOSED = frozenset({COMPLETED, CANCELLED})
TRANSITIONS: dict[str, frozenset[str]] = {
    SCHEDULED: frozenset({DISPATCHED, IN_PROGRESS, CANCELLED}),
    DISPATCHED: frozenset({SCHEDULED, IN_PROGRESS, CANCELLED}),
    IN_PROGRESS: frozenset({COMPLETED, CANCELLED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
}
INITIAL = (SCHEDULED, DISPATCHED)
MAX_LENGTH = timedelta(days=14)
TEXT_LIMITS = {"address": 500, "notes": 4000}
FIELDS = frozenset(
    {"asset_id", "technician_id", "scheduled_start", "scheduled_end", "status", "address", "notes"}
)
NEW_DEFAULTS: dict[str, Any] = {"status": SCHEDULED, "address": "", "notes": ""}


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


def overlaps(a: Slot, b: Slot) -> bool:
    """Half-open intervals: one visit may end exactly when the next begins."""
    return a.start < b.end and b.start < a.end


def clean(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in TEXT_LIMITS:
        if isinstance(out.get(name), str):
            out[name] = out[name].strip()
    return out


def validate(values: dict[str, Any], *, creating: bool) -> None:
    problems: list[FieldViolation] = []
    required = ("work_order_id",) if creating else ()
    for name in (*required, "technician_id", "scheduled_start", "scheduled_end"):
        if values.get(name) is None:
            problems.append(FieldViolation(name, "is required"))
    start, end = values.get("scheduled_start"), values.get("scheduled_end")
    if isinstance(start, datetime) and isinstance(end, datetime):
        if end <= start:
            problems.append(FieldViolation("scheduled_end", "must be after scheduled_start"))
        elif end - start > MAX_LENGTH:
            problems.append(FieldViolation("scheduled_end", "a visit lasts at most 14 days"))
    for name, limit in TEXT_LIMITS.items():
        if len(values.get(name) or "") > limit:
            problems.append(FieldViolation(name, f"at most {limit} characters"))
    allowed = INITIAL if creating else STATUSES
    if values.get("status") not in allowed:
        problems.append(FieldViolation("status", "must be one of " + ", ".join(allowed)))
    if problems:
        raise InvalidArgument(problems[0].field + ": " + problems[0].message, problems)


def check_transition(current: str, wanted: str) -> None:
    if wanted != current and wanted not in TRANSITIONS[current]:
        raise FailedPrecondition(f"a {current} appointment cannot become {wanted}")


def check_open(status: str) -> None:
    if status in CLOSED:
        raise FailedPrecondition(f"the appointment is {status}; it cannot change")
