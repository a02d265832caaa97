"""Business-hours calendars as the API and the database hold them, validated, and
turned into :class:`support.domain.business_time.Calendar` (pure, no I/O).

The stored/API form: ``timezone`` an IANA zone, ``weekly`` ``{"mon": [["09:00",
"12:00"], ["13:00", "17:00"]], ...}`` (keys ``mon``..``sun``, times ``HH:MM``, an end of
``24:00`` closes the day, start before end, a day's intervals do not overlap),
``holidays`` ISO dates (local dates of the calendar), ``always_open`` a 24x7 calendar.
Every violation names its field (``weekly.mon[1]``, ``holidays[0]``, ``timezone``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

from crm_common.errors import FieldViolation, InvalidArgument
from support.domain.business_time import Calendar

__all__ = [
    "MAX_HOLIDAYS",
    "MAX_INTERVALS_PER_DAY",
    "WEEKDAYS",
    "CalendarSpec",
    "clean_holidays",
    "clean_timezone",
    "clean_weekly",
    "to_calendar",
    "validate_spec",
]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_INTERVALS_PER_DAY = 12
MAX_HOLIDAYS = 1000
# Keeps every calendar open at least once a year (the clock never walks in vain).
MAX_CONSECUTIVE_HOLIDAYS = 180
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


@dataclass(frozen=True)
class CalendarSpec:
    """A calendar in its stored form (weekly keyed by ``mon``.., times ``HH:MM``)."""

    timezone: str
    weekly: Mapping[str, Sequence[Sequence[str]]]
    holidays: Sequence[str]
    always_open: bool = False


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def clean_timezone(value: str, field: str = "timezone") -> str:
    """An IANA zone name this process knows (tzdata), else a 422 naming ``field``."""
    name = value.strip()
    if name not in _zones():
        raise InvalidArgument.for_field(field, "must be an IANA time zone such as Europe/Amsterdam")
    return name


def _minutes(text: str) -> int | None:
    m = _HHMM.match(text) if isinstance(text, str) else None
    if m is None:
        return None
    hours, minutes = int(m.group(1)), int(m.group(2))
    if hours == 24 and minutes != 0:
        return None
    return hours * 60 + minutes


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def clean_weekly(value: Mapping[str, Any], field: str = "weekly") -> dict[str, list[list[str]]]:
    """Validated weekly hours, each day's intervals sorted; absent days are closed."""
    if not isinstance(value, Mapping):
        raise InvalidArgument.for_field(field, "must be an object keyed mon..sun")
    bad: list[FieldViolation] = []
    out: dict[str, list[list[str]]] = {}
    for key, intervals in value.items():
        at = f"{field}.{key}"
        if key not in WEEKDAYS:
            bad.append(FieldViolation(at, "weekday keys are mon, tue, wed, thu, fri, sat, sun"))
            continue
        if not isinstance(intervals, (list, tuple)):
            bad.append(FieldViolation(at, 'a list of ["HH:MM", "HH:MM"] intervals'))
            continue
        if len(intervals) > MAX_INTERVALS_PER_DAY:
            bad.append(FieldViolation(at, f"at most {MAX_INTERVALS_PER_DAY} intervals a day"))
            continue
        spans: list[tuple[int, int, int]] = []
        for i, pair in enumerate(intervals):
            where = f"{at}[{i}]"
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                bad.append(FieldViolation(where, 'an interval ["HH:MM", "HH:MM"]'))
                continue
            start, end = _minutes(pair[0]), _minutes(pair[1])
            if start is None or end is None:
                bad.append(FieldViolation(where, "times are HH:MM between 00:00 and 24:00"))
                continue
            if start >= end:
                bad.append(FieldViolation(where, "the start must be before the end"))
                continue
            spans.append((start, end, i))
        spans.sort()
        for (_, prev_end, _), (start, _, i) in itertools.pairwise(spans):
            if start < prev_end:
                bad.append(FieldViolation(f"{at}[{i}]", "intervals of a day must not overlap"))
        out[key] = [[_fmt(s), _fmt(e)] for s, e, _ in spans]
    if bad:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in bad), bad)
    return {day: out[day] for day in WEEKDAYS if out.get(day)}


def clean_holidays(value: Sequence[Any], field: str = "holidays") -> list[str]:
    """Validated ISO dates, sorted, without duplicates."""
    if not isinstance(value, (list, tuple)):
        raise InvalidArgument.for_field(field, "must be a list of ISO dates (YYYY-MM-DD)")
    if len(value) > MAX_HOLIDAYS:
        raise InvalidArgument.for_field(field, f"at most {MAX_HOLIDAYS} holidays")
    days: set[date] = set()
    for i, item in enumerate(value):
        try:
            if not isinstance(item, str) or len(item) != 10:
                raise ValueError(item)
            days.add(date.fromisoformat(item))
        except ValueError as exc:
            raise InvalidArgument.for_field(
                f"{field}[{i}]", "must be an ISO date (YYYY-MM-DD)"
            ) from exc
    ordered = sorted(days)
    run = 1
    for prev, cur in itertools.pairwise(ordered):
        run = run + 1 if (cur - prev).days == 1 else 1
        if run > MAX_CONSECUTIVE_HOLIDAYS:
            raise InvalidArgument.for_field(
                field, f"at most {MAX_CONSECUTIVE_HOLIDAYS} consecutive holidays"
            )
    return [d.isoformat() for d in ordered]


def validate_spec(spec: CalendarSpec) -> CalendarSpec:
    """The spec cleaned; a calendar that is never open is refused (``weekly``)."""
    weekly = clean_weekly(spec.weekly)
    cleaned = CalendarSpec(
        timezone=clean_timezone(spec.timezone),
        weekly=weekly,
        holidays=clean_holidays(spec.holidays),
        always_open=bool(spec.always_open),
    )
    if not cleaned.always_open and not weekly:
        raise InvalidArgument.for_field(
            "weekly", "a calendar needs at least one open interval (or always_open)"
        )
    return cleaned


def _time(text: str) -> time:
    minutes = _minutes(text)
    if minutes is None:
        raise ValueError(f"bad time {text!r}")
    return time(0, 0) if minutes == 24 * 60 else time(minutes // 60, minutes % 60)


def to_calendar(spec: CalendarSpec) -> Calendar:
    """The stored form as a :class:`Calendar` (an end of 24:00 becomes ``time(0, 0)``)."""
    weekly: dict[int, tuple[tuple[time, time], ...]] = {}
    for i, day in enumerate(WEEKDAYS):
        intervals = spec.weekly.get(day) or ()
        if intervals:
            weekly[i] = tuple((_time(a), _time(b)) for a, b in intervals)
    return Calendar(
        timezone=spec.timezone,
        weekly=weekly,
        holidays=frozenset(date.fromisoformat(d) for d in spec.holidays),
        always_open=spec.always_open,
    )
