"""Help-desk insights, pure: the window asked for, and the figures' arithmetic
(compliance percentages, rounding). The figures themselves are computed by
PostgreSQL (``support.adapters.insights_queries``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from crm_common.errors import FieldViolation, InvalidArgument

OPEN_STATUSES = ("new", "open", "waiting_on_customer", "waiting_on_third_party")
STATUSES = (*OPEN_STATUSES, "resolved", "closed")
PRIORITIES = ("P1", "P2", "P3", "P4")
MAX_WINDOW = timedelta(days=366)
DEFAULT_WINDOW = timedelta(days=30)
TEXT_MAX = 40


@dataclass(frozen=True)
class InsightsWindow:
    """[start, end) in UTC, optionally one group's cases only."""

    start: datetime
    end: datetime
    group_id: uuid.UUID | None = None


def parse_instant(text: str, name: str) -> datetime | None:
    """An ISO date (midnight UTC) or datetime (with an offset, or UTC); None
    when empty; InvalidArgument naming ``name`` otherwise."""
    value = text.strip()
    if not value:
        return None
    problem = FieldViolation(name, "must be an ISO date (2026-01-31) or datetime")
    if len(value) > TEXT_MAX:
        raise InvalidArgument(f"{name}: {problem.message}", [problem])
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=UTC)
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError as exc:
        raise InvalidArgument(f"{name}: {problem.message}", [problem]) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError) as exc:  # year 1 minus an offset
        raise InvalidArgument(f"{name}: {problem.message}", [problem]) from exc


def parse_window(from_text: str, to_text: str, group_text: str, now: datetime) -> InsightsWindow:
    """The window asked for: defaults to = now, from = to - 30 days; from must
    be before to and the window at most 366 days (every problem named at once)."""
    found: list[FieldViolation] = []
    start = end = None
    for name, text in (("from", from_text), ("to", to_text)):
        try:
            moment = parse_instant(text, name)
        except InvalidArgument as exc:
            found.extend(exc.violations)
            continue
        if name == "from":
            start = moment
        else:
            end = moment
    group_id = None
    if group_text.strip():
        try:
            group_id = uuid.UUID(group_text.strip())
        except ValueError:
            found.append(FieldViolation("group_id", "must be a UUID"))
    if found:
        raise _invalid(found)
    end = end or now
    try:
        start = start or end - DEFAULT_WINDOW
    except OverflowError as exc:
        raise _invalid([FieldViolation("to", "is too early")]) from exc
    if start >= end:
        raise _invalid([FieldViolation("from", "must be before to")])
    if end - start > MAX_WINDOW:
        raise _invalid([FieldViolation("to", f"at most {MAX_WINDOW.days} days after from")])
    return InsightsWindow(start, end, group_id)


def _invalid(found: list[FieldViolation]) -> InvalidArgument:
    summary = "; ".join(f"{v.field}: {v.message}" for v in found)
    return InvalidArgument(f"invalid window: {summary}", found)


def one_decimal(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass(frozen=True)
class Compliance:
    """SLA targets due in the window: met (fulfilled without breach), breached,
    pending (neither yet: not fulfilled, not yet due)."""

    met: int = 0
    breached: int = 0
    pending: int = 0

    def __add__(self, other: Compliance) -> Compliance:
        return Compliance(
            self.met + other.met, self.breached + other.breached, self.pending + other.pending
        )

    @property
    def percent(self) -> float | None:
        """met / (met + breached) x 100, one decimal; None when nothing was decided."""
        decided = self.met + self.breached
        return None if decided == 0 else round(100 * self.met / decided, 1)


@dataclass(frozen=True)
class Durations:
    """Business minutes: how many, their median and 90th percentile."""

    count: int = 0
    median: float | None = None
    p90: float | None = None
