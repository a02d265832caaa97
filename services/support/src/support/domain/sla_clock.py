"""The SLA clock: business time elapsed towards a target, with pauses (pure, no I/O).

* The clock runs from ``started_at`` over the calendar's business time
  (:mod:`support.domain.business_time`); time inside a :class:`Pause` does not count.
* A pause ``[start, end)``; ``end is None`` means the pause is still open (the clock is
  stopped *now*). Pauses may overlap each other and may start before ``started_at``
  (only the part after ``started_at`` matters).
* ``elapsed_business_minutes`` is the business time in ``[started_at, now)`` minus
  the business time inside pauses (an open pause lasts until ``now``), in whole
  minutes rounded down.
* ``due_at`` is the earliest instant at which ``target_minutes`` of unpaused business
  time have run: due times move by paused *business* time (a pause over a weekend moves
  nothing). While a pause is open the due time is unknown, so it returns ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from support.domain.business_time import Calendar, add_business_time, business_time_between

__all__ = ["Pause", "due_at", "elapsed_business_minutes", "elapsed_business_time"]

_MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Pause:
    start: datetime
    end: datetime | None = None


def _closed(pauses: Iterable[Pause], now: datetime) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for p in pauses:
        end = p.end if p.end is not None else now
        if end > p.start:
            out.append((p.start, end))
    return out


def elapsed_business_time(
    calendar: Calendar, started_at: datetime, now: datetime, pauses: Iterable[Pause] = ()
) -> timedelta:
    """Exact unpaused business time in ``[started_at, now)``."""
    return business_time_between(calendar, started_at, now, _closed(pauses, now))


def elapsed_business_minutes(
    calendar: Calendar, started_at: datetime, now: datetime, pauses: Iterable[Pause] = ()
) -> int:
    """Whole unpaused business minutes in ``[started_at, now)`` (0 when ``now <= started_at``)."""
    return elapsed_business_time(calendar, started_at, now, pauses) // _MINUTE


def due_at(
    calendar: Calendar, started_at: datetime, target_minutes: int, pauses: Iterable[Pause] = ()
) -> datetime | None:
    """When ``target_minutes`` of unpaused business time will have run (UTC), or ``None``
    while a pause is open."""
    if target_minutes < 0:
        raise ValueError("target_minutes must not be negative")
    pause_list = list(pauses)
    if any(p.end is None for p in pause_list):
        return None
    holes = [(p.start, p.end) for p in pause_list if p.end is not None and p.end > p.start]
    return add_business_time(calendar, started_at, timedelta(minutes=target_minutes), holes)
