"""When an e-mail may leave: quiet hours and the daily digest, in the user's time
zone. Pure and DST-correct: local wall times are turned into instants with
``zoneinfo`` on the day they fall, never by adding a fixed offset.

- Quiet hours ``start``-``end`` hold mail from ``start`` (included) to ``end``
  (excluded); ``end`` before ``start`` crosses midnight (22:00-07:00).
- A wall time that does not exist (the hour skipped when clocks go forward) is
  read with the offset before the change, i.e. it lands just after the gap; an
  ambiguous one (clocks go back) is its first occurrence.
- An unknown or empty time zone is UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from notifications.domain.preferences import Preferences, QuietHours


def zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def at_local(day: date, wall: time, tz: tzinfo) -> datetime:
    """The UTC instant of wall time ``wall`` on ``day`` in ``tz``."""
    return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)


def is_quiet(local: time, quiet: QuietHours) -> bool:
    start, end = quiet.start, quiet.end
    if start < end:
        return start <= local < end
    return local >= start or local < end  # crosses midnight


def quiet_until(now: datetime, quiet: QuietHours | None, tz: tzinfo) -> datetime | None:
    """When the quiet hours holding ``now`` end (UTC), or None when ``now`` is not
    quiet."""
    if quiet is None:
        return None
    local = now.astimezone(tz)
    wall = local.time().replace(tzinfo=None)
    if not is_quiet(wall, quiet):
        return None
    # The end is today when it is still ahead on the wall clock, else tomorrow.
    day = local.date() if wall < quiet.end else local.date() + timedelta(days=1)
    end = at_local(day, quiet.end, tz)
    if end <= now:  # only in a DST gap: never earlier than now
        end = at_local(day + timedelta(days=1), quiet.end, tz)
    return end


def next_digest(now: datetime, hour: int, tz: tzinfo) -> datetime:
    """The next digest time after ``now``: today's ``hour``:00 local if ahead,
    else tomorrow's."""
    local = now.astimezone(tz)
    for offset in (0, 1, 2):
        candidate = at_local(local.date() + timedelta(days=offset), time(hour), tz)
        if candidate > now:
            return candidate
    raise AssertionError("unreachable: a day later is always ahead")


def send_after(now: datetime, prefs: Preferences, timezone: str) -> tuple[datetime, bool]:
    """When a new notification e-mail may leave, and whether it waits for the
    digest: instant (now) unless the user takes a daily digest (the next digest
    time); either is pushed to the end of quiet hours when they hold it."""
    tz = zone(timezone)
    digest = prefs.digest == "daily"
    at = next_digest(now, prefs.digest_hour, tz) if digest else now
    return quiet_until(at, prefs.quiet_hours, tz) or at, digest
