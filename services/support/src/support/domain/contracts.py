"""Service contracts: value rules, status, consumption of the entitlement (pure).

A contract's stored status is what people decided (draft, active, cancelled);
``expired`` is derived: an active contract whose end date has passed. The
entitlement is a number of cases or of hours; consumption counts the cases that
name the contract and the timelogged hours on them and on its work orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from crm_common.errors import FailedPrecondition, FieldViolation, InvalidArgument

MODULE = "service_contracts"
CONTRACT_EXPIRING = "crm.support.contract.expiring"

DRAFT, ACTIVE, EXPIRED, CANCELLED = "draft", "active", "expired", "cancelled"
STATUSES = (DRAFT, ACTIVE, EXPIRED, CANCELLED)
STORED_STATUSES = (DRAFT, ACTIVE, CANCELLED)
# Who may become what (a person's decision; expiry is the calendar's).
TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({ACTIVE, CANCELLED}),
    ACTIVE: frozenset({CANCELLED}),
    CANCELLED: frozenset(),
}
ENTITLEMENT_TYPES = ("cases", "hours")
MAX_ENTITLEMENT = Decimal("1000000")
TEXT_LIMITS = {"name": 200, "tier": 50, "description": 4000}
FIELDS = frozenset(
    {
        "name",
        "account_id",
        "owner_id",
        "start_date",
        "end_date",
        "entitlement_type",
        "entitlement_total",
        "status",
        "tier",
        "description",
    }
)
REQUIRED = ("name", "account_id", "start_date", "end_date", "entitlement_type", "entitlement_total")
HOURS = Decimal("0.01")


def clean(values: dict[str, Any]) -> dict[str, Any]:
    """Trimmed text; tiers compare case-insensitively, so they are stored lower-case."""
    out = dict(values)
    for name in ("name", "description"):
        if isinstance(out.get(name), str):
            out[name] = out[name].strip()
    if isinstance(out.get("tier"), str):
        out["tier"] = out["tier"].strip().lower()
    if isinstance(out.get("entitlement_type"), str):
        out["entitlement_type"] = out["entitlement_type"].strip().lower()
    return out


def validate(values: dict[str, Any]) -> None:
    """Every broken rule of a whole contract at once, each naming its field."""
    problems: list[FieldViolation] = []
    for name in REQUIRED:
        if values.get(name) in (None, ""):
            problems.append(FieldViolation(name, "is required"))
    for name, limit in TEXT_LIMITS.items():
        if len(values.get(name) or "") > limit:
            problems.append(FieldViolation(name, f"at most {limit} characters"))
    kind = values.get("entitlement_type")
    if kind and kind not in ENTITLEMENT_TYPES:
        problems.append(FieldViolation("entitlement_type", "must be cases or hours"))
    problems += _total_problems(values.get("entitlement_total"), kind)
    start, end = values.get("start_date"), values.get("end_date")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        problems.append(FieldViolation("end_date", "must not be before start_date"))
    if values.get("status") not in (None, *STORED_STATUSES):
        message = "must be draft, active or cancelled (expired follows from end_date)"
        problems.append(FieldViolation("status", message))
    if problems:
        raise InvalidArgument(problems[0].field + ": " + problems[0].message, problems)


def _total_problems(total: Any, kind: Any) -> list[FieldViolation]:
    if not isinstance(total, Decimal):
        return []
    if total <= 0 or total > MAX_ENTITLEMENT:
        return [FieldViolation("entitlement_total", f"must be > 0 and <= {MAX_ENTITLEMENT}")]
    if kind == "cases" and total != total.to_integral_value():
        return [FieldViolation("entitlement_total", "a number of cases is a whole number")]
    if total != total.quantize(HOURS):
        return [FieldViolation("entitlement_total", "at most 2 decimals")]
    return []


def effective_status(stored: str, end_date: date, today: date) -> str:
    """What the contract is today: an active contract past its end date is expired."""
    if stored == ACTIVE and end_date < today:
        return EXPIRED
    return stored


def check_transition(current: str, wanted: str, end_date: date, today: date) -> None:
    """Refuse a status change the table does not allow (409), and activating a
    contract whose end date has passed (422, it would be expired at once)."""
    if wanted == current:
        return
    if wanted not in TRANSITIONS.get(current, frozenset()):
        raise FailedPrecondition(f"a {current} contract cannot become {wanted}")
    if wanted == ACTIVE and end_date < today:
        raise InvalidArgument.for_field("status", "end_date has passed: it cannot become active")


@dataclass(frozen=True)
class Consumption:
    cases_used: int
    hours_used: Decimal
    used: Decimal
    remaining: Decimal
    exhausted: bool


def consumption(kind: str, total: Decimal, cases_used: int, minutes_used: int) -> Consumption:
    """Used, remaining (never below zero) and exhausted, in the contract's unit."""
    hours = (Decimal(minutes_used) / 60).quantize(HOURS)
    used = Decimal(cases_used) if kind == "cases" else hours
    remaining = max(total - used, Decimal(0))
    return Consumption(cases_used, hours, used, remaining, used >= total)


def days_left(end_date: date, today: date) -> int:
    return (end_date - today).days


def expiring(stored: str, end_date: date, today: date, warning_days: int) -> bool:
    """An active contract that ends today or within ``warning_days`` days."""
    return stored == ACTIVE and 0 <= days_left(end_date, today) <= warning_days
