"""Brute-force minute-by-minute reference of the business-time semantics (tests only).

A UTC minute ``m`` counts when ``m`` in the calendar's zone shows a wall-clock time
inside one of that local weekday's intervals and the local date is not a holiday.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from support.domain.business_time import Calendar, interval_bounds

MINUTE = timedelta(minutes=1)


def is_business_minute(cal: Calendar, m: datetime) -> bool:
    if cal.always_open:
        return True
    local = m.astimezone(ZoneInfo(cal.timezone))
    if local.date() in cal.holidays:
        return False
    wall = timedelta(hours=local.hour, minutes=local.minute)
    for s, e in cal.weekly.get(local.weekday(), ()):
        lo, hi = interval_bounds(s, e)
        if lo <= wall < hi:
            return True
    return False


def minutes_of(cal: Calendar, start: datetime, end: datetime) -> list[datetime]:
    """Every business minute in [start, end) (start, end whole UTC minutes)."""
    out = []
    m = start.astimezone(UTC)
    stop = end.astimezone(UTC)
    while m < stop:
        if is_business_minute(cal, m):
            out.append(m)
        m += MINUTE
    return out


def in_any(m: datetime, spans: Iterable[tuple[datetime, datetime]]) -> bool:
    return any(a <= m < b for a, b in spans)


def ref_between(cal: Calendar, start: datetime, end: datetime, holes=()) -> int:
    holes = list(holes)
    return sum(1 for m in minutes_of(cal, start, end) if not in_any(m, holes))


def ref_add(cal: Calendar, start: datetime, n: int, horizon: datetime, holes=()) -> datetime | None:
    """The end of the n-th counted minute from start (None when beyond horizon)."""
    if n == 0:
        return start.astimezone(UTC)
    holes = list(holes)
    count = 0
    m = start.astimezone(UTC)
    while m < horizon:
        if is_business_minute(cal, m) and not in_any(m, holes):
            count += 1
            if count == n:
                return m + MINUTE
        m += MINUTE
    return None


__all__ = ["MINUTE", "in_any", "is_business_minute", "minutes_of", "ref_add", "ref_between", "time"]
