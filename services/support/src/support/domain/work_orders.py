"""Work orders: value rules and the status transition table (pure)."""

from __future__ import annotations

from typing import Any

from crm_common.errors import FailedPrecondition, FieldViolation, InvalidArgument

MODULE = "work_orders"
NUMBER_KIND = "WO"

NEW, SCHEDULED, IN_PROGRESS, COMPLETED, CANCELLED = (
    "new",
    "scheduled",
    "in_progress",
    "completed",
    "cancelled",
)
STATUSES = (NEW, SCHEDULED, IN_PROGRESS, COMPLETED, CANCELLED)
CLOSED = frozenset({COMPLETED, CANCELLED})
TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({SCHEDULED, IN_PROGRESS, CANCELLED}),
    SCHEDULED: frozenset({NEW, IN_PROGRESS, CANCELLED}),
    IN_PROGRESS: frozenset({SCHEDULED, COMPLETED, CANCELLED}),
    COMPLETED: frozenset(),
    CANCELLED: frozenset(),
}
# A work order starts in one of these.
INITIAL = (NEW, SCHEDULED, IN_PROGRESS)
PRIORITIES = ("P1", "P2", "P3", "P4")
TEXT_LIMITS = {"subject": 200, "description": 10000}
FIELDS = frozenset(
    {
        "subject",
        "description",
        "case_id",
        "account_id",
        "asset_id",
        "service_contract_id",
        "status",
        "priority",
        "owner_id",
    }
)
NEW_DEFAULTS: dict[str, Any] = {"description": "", "status": NEW, "priority": "P3"}


def clean(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in ("subject", "description"):
        if isinstance(out.get(name), str):
            out[name] = out[name].strip()
    if isinstance(out.get("priority"), str):
        out["priority"] = out["priority"].strip().upper()
    return out


def validate(values: dict[str, Any], *, creating: bool) -> None:
    problems: list[FieldViolation] = []
    if not values.get("subject"):
        problems.append(FieldViolation("subject", "is required"))
    for name, limit in TEXT_LIMITS.items():
        if len(values.get(name) or "") > limit:
            problems.append(FieldViolation(name, f"at most {limit} characters"))
    if values.get("priority") not in PRIORITIES:
        problems.append(FieldViolation("priority", "must be P1, P2, P3 or P4"))
    allowed = INITIAL if creating else STATUSES
    if values.get("status") not in allowed:
        problems.append(FieldViolation("status", "must be one of " + ", ".join(allowed)))
    if problems:
        raise InvalidArgument(problems[0].field + ": " + problems[0].message, problems)


def check_transition(current: str, wanted: str) -> None:
    """409 unless the table allows ``current -> wanted`` (staying put is fine)."""
    if wanted != current and wanted not in TRANSITIONS[current]:
        raise FailedPrecondition(f"a {current} work order cannot become {wanted}")


def check_open(status: str) -> None:
    """Completed and cancelled work orders are final: nothing about them changes."""
    if status in CLOSED:
        raise FailedPrecondition(f"the work order is {status}; it cannot change")
