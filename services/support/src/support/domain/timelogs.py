"""Timelogs: minutes spent on one case or one work order (pure rules)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from crm_common.errors import FieldViolation, InvalidArgument

MODULE = "timelogs"
MAX_MINUTES = 24 * 60  # one entry covers at most a day
NOTE_LIMIT = 2000
HOURS = Decimal("0.01")


def validate(values: dict[str, Any]) -> None:
    problems: list[FieldViolation] = []
    on_case, on_order = values.get("case_id") is not None, values.get("work_order_id") is not None
    if on_case == on_order:
        problems.append(FieldViolation("case_id", "give exactly one of case_id, work_order_id"))
    minutes = values.get("minutes")
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_MINUTES:
        problems.append(FieldViolation("minutes", f"must be 1..{MAX_MINUTES}"))
    if len(values.get("note") or "") > NOTE_LIMIT:
        problems.append(FieldViolation("note", f"at most {NOTE_LIMIT} characters"))
    if problems:
        raise InvalidArgument(problems[0].field + ": " + problems[0].message, problems)


@dataclass(frozen=True)
class Totals:
    total_minutes: int
    billable_minutes: int

    @property
    def total_hours(self) -> Decimal:
        return hours(self.total_minutes)

    @property
    def billable_hours(self) -> Decimal:
        return hours(self.billable_minutes)


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(HOURS)


def totals(entries: Iterable[tuple[int, bool]]) -> Totals:
    """(minutes, billable) pairs summed."""
    total = billable = 0
    for minutes, is_billable in entries:
        total += minutes
        billable += minutes if is_billable else 0
    return Totals(total, billable)
