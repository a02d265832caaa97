"""Sequence delays: calendar days, or business days (Monday to Friday) counted
in the tenant's time zone, keeping the local time of day."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_common.errors import InvalidArgument

UNITS = ("business_days", "calendar_days")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidArgument.for_field("timezone", "is not an IANA time zone") from exc


def add_delay(start: datetime, days: int, unit: str, tz: str = "UTC") -> datetime:
    """``start`` (aware) plus ``days`` in ``unit``. Business days: a start on a
    weekend first moves to Monday at the same local time when days > 0; 0 days
    is "now". The answer is in UTC."""
    if days <= 0:
        return start
    if unit == "calendar_days":
        return start + timedelta(days=days)
    local = start.astimezone(zone(tz))
    day = local.date()
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    naive = datetime.combine(day, local.time().replace(tzinfo=None))
    return naive.replace(tzinfo=zone(tz)).astimezone(start.tzinfo or zone("UTC"))
