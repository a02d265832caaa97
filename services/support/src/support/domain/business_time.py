"""Business-time arithmetic on a business-hours calendar (pure, no I/O).

Semantics (the single rule everything here follows):

* An instant ``t`` is *business time* on a calendar when the wall-clock time of ``t``
  in the calendar's time zone falls inside one of the intervals ``[start, end)`` of that
  local weekday, and the local date is not a holiday. A 24x7 calendar
  (``always_open``) counts every instant.
* Hence a UTC minute counts exactly when the clock on the office wall shows a business
  minute: a DST *gap* (e.g. 02:00-03:00 local skipped in spring) contributes nothing,
  and a repeated hour (autumn fold) counts twice, because the wall clock shows it twice.
* Intervals are local wall-clock times; a day may have several (a lunch break). An
  interval ending at 24:00 is written with end ``time(0, 0)`` (or ``time.max``); any
  other end must be after its start. Holidays are local dates.
* ``business_minutes_between(cal, a, b)`` is the business time in ``[a, b)`` in whole
  minutes (rounded down; 0 when ``b <= a``).
* ``add_business_minutes(cal, a, n)`` is the *earliest* instant ``t >= a`` with
  exactly ``n`` business minutes in ``[a, t)``: with Mon-Fri 09-17, 2 hours from Friday
  16:30 is Monday 10:30, and 30 minutes from Friday 16:30 is Friday 17:00 (not Monday
  09:00). ``n == 0`` returns ``a`` itself.
* Inputs must be timezone-aware; results are UTC. Seconds are kept as given (callers
  normally pass whole minutes).

The walk goes day by day over constant-UTC-offset stretches (never minute by minute):
within a stretch local time is UTC plus a fixed offset, so each local interval maps to
one UTC interval. A calendar with no open minute within a year of the walk raises
:class:`CalendarNeverOpen` instead of looping.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "Calendar",
    "CalendarNeverOpen",
    "add_business_minutes",
    "add_business_time",
    "business_intervals",
    "business_minutes_between",
    "business_time_between",
    "interval_bounds",
]

_DAY = timedelta(days=1)
_HALF_DAY = timedelta(hours=12)
_MINUTE = timedelta(minutes=1)
_ZERO = timedelta(0)
# Walk at most this far past the last open minute before declaring the calendar closed.
_MAX_GAP = timedelta(days=400)


class CalendarNeverOpen(ValueError):
    """The calendar has no business minute within a year of the requested instant."""


@dataclass(frozen=True)
class Calendar:
    """A business-hours calendar.

    ``weekly`` maps a weekday (0 = Monday .. 6 = Sunday) to its intervals of local
    wall-clock time; ``holidays`` are local dates with no business time;
    ``always_open`` makes it a 24x7 calendar (weekly/holidays are then ignored).
    """

    timezone: str
    weekly: Mapping[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()
    always_open: bool = False

    def __hash__(self) -> int:
        return hash((self.timezone, self.holidays, self.always_open))


def interval_bounds(start: time, end: time) -> tuple[timedelta, timedelta]:
    """An interval as offsets from local midnight; end 00:00 / time.max is 24:00."""
    s = timedelta(hours=start.hour, minutes=start.minute, seconds=start.second)
    if end == time(0, 0) or end == time.max:
        e = _DAY
    else:
        e = timedelta(hours=end.hour, minutes=end.minute, seconds=end.second)
    return s, e


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _offset_at(zone: str, t: datetime) -> timedelta:
    off = t.astimezone(_zone(zone)).utcoffset()
    return off if off is not None else _ZERO


def _day_table(cal: Calendar) -> dict[int, tuple[tuple[timedelta, timedelta], ...]]:
    table: dict[int, tuple[tuple[timedelta, timedelta], ...]] = {}
    for wd in range(7):
        spans = sorted(interval_bounds(s, e) for s, e in cal.weekly.get(wd, ()))
        table[wd] = tuple((s, e) for s, e in spans if e > s)
    return table


def _utc(t: datetime, name: str) -> datetime:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return t.astimezone(UTC)


def _constant_offset_stretches(
    zone: str, start: datetime
) -> Iterator[tuple[datetime, datetime, timedelta]]:
    """Consecutive UTC stretches ``[a, b)`` from ``start`` with one UTC offset each."""
    a = start
    while True:
        b = a + _DAY
        off = _offset_at(zone, a)
        mid = a + _HALF_DAY
        if _offset_at(zone, mid) == off and _offset_at(zone, b) == off:
            yield a, b, off
            a = b
            continue
        # A change within (a, b]: find the first instant with another offset (to the second).
        lo, hi = a, (mid if _offset_at(zone, mid) != off else b)
        while hi - lo > timedelta(seconds=1):
            m = lo + (hi - lo) / 2
            m = m.replace(microsecond=0)
            if m <= lo:
                break
            if _offset_at(zone, m) == off:
                lo = m
            else:
                hi = m
        yield a, hi, off
        a = hi


def business_intervals(
    calendar: Calendar, start: datetime, until: datetime | None = None
) -> Iterator[tuple[datetime, datetime]]:
    """The calendar's business time from ``start`` on, as sorted, disjoint UTC intervals.

    Stops after ``until`` when given (the last interval may reach past it); otherwise
    infinite for an open calendar. Raises :class:`CalendarNeverOpen` once the walk has
    gone a year past the last business minute.
    """
    begin = _utc(start, "start")
    stop = _utc(until, "until") if until is not None else None
    if calendar.always_open:
        yield begin, datetime.max.replace(tzinfo=UTC)
        return
    table = _day_table(calendar)
    last_open = begin
    for a, b, off in _constant_offset_stretches(calendar.timezone, begin.replace(microsecond=0)):
        for piece in _stretch_pieces(table, calendar.holidays, a, b, off):
            if piece[1] <= begin:
                continue
            yield max(piece[0], begin), piece[1]
            last_open = piece[1]
        if stop is not None and b >= stop:
            return
        if b - last_open > _MAX_GAP:
            raise CalendarNeverOpen(
                "business-hours calendar has no open minute within a year after "
                f"{last_open.isoformat()}"
            )


def _stretch_pieces(
    table: Mapping[int, tuple[tuple[timedelta, timedelta], ...]],
    holidays: frozenset[date],
    a: datetime,
    b: datetime,
    off: timedelta,
) -> list[tuple[datetime, datetime]]:
    """Business time within the UTC stretch ``[a, b)`` of constant offset ``off``:
    local time is ``utc + off`` there, so each local interval is one UTC interval."""
    local_a = (a + off).replace(tzinfo=None)
    local_b = (b + off).replace(tzinfo=None)
    pieces: list[tuple[datetime, datetime]] = []
    day = local_a.date()
    midnight = datetime.combine(day, time(0))
    while midnight < local_b:
        if day not in holidays:
            for s, e in table[day.weekday()]:
                lo = max(midnight + s, local_a)
                hi = min(midnight + e, local_b)
                if lo < hi:
                    pieces.append(((lo - off).replace(tzinfo=UTC), (hi - off).replace(tzinfo=UTC)))
        day += _DAY
        midnight = datetime.combine(day, time(0))
    return _merge(pieces)


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _subtract(
    source: Iterator[tuple[datetime, datetime]], holes: Sequence[tuple[datetime, datetime]]
) -> Iterator[tuple[datetime, datetime]]:
    """``source`` intervals minus sorted, disjoint ``holes``."""
    i = 0
    for a, b in source:
        cur = a
        while i < len(holes) and holes[i][1] <= cur:
            i += 1
        j = i
        while cur < b:
            if j >= len(holes) or holes[j][0] >= b:
                yield cur, b
                break
            ha, hb = holes[j]
            if ha > cur:
                yield cur, ha
            cur = max(cur, hb)
            j += 1


def business_time_between(
    calendar: Calendar,
    start: datetime,
    end: datetime,
    excluded: Iterable[tuple[datetime, datetime]] = (),
) -> timedelta:
    """Exact business time in ``[start, end)``, minus the ``excluded`` UTC intervals."""
    a = _utc(start, "start")
    b = _utc(end, "end")
    if b <= a:
        return _ZERO
    holes = _merge((_utc(x, "excluded"), _utc(y, "excluded")) for x, y in excluded)
    total = _ZERO
    for ia, ib in _subtract(business_intervals(calendar, a, b), holes):
        if ia >= b:
            break
        total += min(ib, b) - ia
    return total


def business_minutes_between(calendar: Calendar, start: datetime, end: datetime) -> int:
    """Whole business minutes in ``[start, end)`` (0 when ``end <= start``)."""
    return business_time_between(calendar, start, end) // _MINUTE


def add_business_time(
    calendar: Calendar,
    start: datetime,
    amount: timedelta,
    excluded: Iterable[tuple[datetime, datetime]] = (),
) -> datetime:
    """Earliest ``t >= start`` with ``amount`` of business time in ``[start, t)``,
    not counting the ``excluded`` UTC intervals."""
    a = _utc(start, "start")
    if amount < _ZERO:
        raise ValueError("amount must not be negative")
    if amount == _ZERO:
        return a
    holes = _merge((_utc(x, "excluded"), _utc(y, "excluded")) for x, y in excluded)
    left = amount
    for ia, ib in _subtract(business_intervals(calendar, a), holes):
        span = ib - ia
        if span >= left:
            return ia + left
        left -= span
    raise AssertionError("unreachable: business_intervals is infinite or raises")


def add_business_minutes(calendar: Calendar, start: datetime, minutes: int) -> datetime:
    """Earliest instant with ``minutes`` business minutes after ``start`` (UTC)."""
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    return add_business_time(calendar, start, timedelta(minutes=minutes))
