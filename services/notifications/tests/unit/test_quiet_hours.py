"""Quiet hours and digest timing in the user's time zone: crossing midnight,
daylight-saving changes (Europe/Amsterdam, America/New_York), zones far from UTC,
and the preferences' validation and defaults."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_common.errors import InvalidArgument
from notifications.domain import preferences as prefs
from notifications.domain.preferences import Channels, Preferences, QuietHours
from notifications.domain.quiet_hours import (
    is_quiet,
    next_digest,
    quiet_until,
    send_after,
    zone,
)

NIGHT = QuietHours(time(22, 0), time(7, 0))
LUNCH = QuietHours(time(12, 0), time(13, 30))
AMS = zone("Europe/Amsterdam")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("wall", "quiet"),
    [
        (time(21, 59), False),
        (time(22, 0), True),
        (time(23, 59), True),
        (time(0, 0), True),
        (time(6, 59), True),
        (time(7, 0), False),
        (time(12, 0), False),
    ],
)
def test_night_quiet_hours_cross_midnight(wall: time, quiet: bool) -> None:
    assert is_quiet(wall, NIGHT) is quiet


def test_same_day_quiet_hours() -> None:
    assert is_quiet(time(12, 0), LUNCH) and is_quiet(time(13, 29), LUNCH)
    assert not is_quiet(time(13, 30), LUNCH) and not is_quiet(time(11, 59), LUNCH)


def test_quiet_until_before_and_after_midnight() -> None:
    # 23:00 in Amsterdam (winter, UTC+1) is 22:00 UTC; quiet until 07:00 local next day.
    assert quiet_until(utc(2024, 1, 10, 22, 0), NIGHT, AMS) == utc(2024, 1, 11, 6, 0)
    # 03:00 local (02:00 UTC): the same morning's 07:00.
    assert quiet_until(utc(2024, 1, 11, 2, 0), NIGHT, AMS) == utc(2024, 1, 11, 6, 0)
    # Daytime: not quiet.
    assert quiet_until(utc(2024, 1, 11, 12, 0), NIGHT, AMS) is None
    assert quiet_until(utc(2024, 1, 11, 2, 0), None, AMS) is None


def test_quiet_hours_end_on_the_wall_clock_across_spring_forward() -> None:
    # Clocks go forward in Amsterdam on 2024-03-31 at 02:00 (UTC+1 -> UTC+2).
    # 23:00 local on the 30th = 22:00 UTC; 07:00 CEST on the 31st = 05:00 UTC
    # (a fixed offset taken at 23:00 would say 06:00 UTC: an hour late).
    assert quiet_until(utc(2024, 3, 30, 22, 0), NIGHT, AMS) == utc(2024, 3, 31, 5, 0)


def test_quiet_hours_end_on_the_wall_clock_across_fall_back() -> None:
    # Clocks go back in Amsterdam on 2024-10-27 at 03:00 (UTC+2 -> UTC+1).
    assert quiet_until(utc(2024, 10, 26, 21, 0), NIGHT, AMS) == utc(2024, 10, 27, 6, 0)


def test_an_end_inside_the_skipped_hour_lands_after_the_gap() -> None:
    early = QuietHours(time(1, 0), time(2, 30))  # 02:30 does not exist on 2024-03-31
    end = quiet_until(utc(2024, 3, 31, 0, 30), early, AMS)  # 01:30 CET
    assert end is not None and end > utc(2024, 3, 31, 0, 30)
    assert end.astimezone(AMS).hour == 3  # 03:30 CEST, the first wall time after 02:30


@pytest.mark.parametrize(
    ("zone_name", "now", "ends"),
    [
        ("Asia/Tehran", utc(2024, 6, 1, 20, 0), utc(2024, 6, 2, 3, 30)),  # UTC+3:30
        ("Asia/Tokyo", utc(2024, 6, 1, 14, 0), utc(2024, 6, 1, 22, 0)),  # 23:00 JST
        ("America/New_York", utc(2024, 3, 10, 3, 0), utc(2024, 3, 10, 11, 0)),  # DST day
        ("Pacific/Kiritimati", utc(2024, 6, 1, 9, 0), utc(2024, 6, 1, 17, 0)),  # UTC+14
        ("No/Such_Zone", utc(2024, 6, 1, 23, 0), utc(2024, 6, 2, 7, 0)),  # UTC
        ("", utc(2024, 6, 1, 1, 0), utc(2024, 6, 1, 7, 0)),
    ],
)
def test_quiet_hours_in_zones(zone_name: str, now: datetime, ends: datetime) -> None:
    assert quiet_until(now, NIGHT, zone(zone_name)) == ends


def test_next_digest_today_or_tomorrow_and_across_dst() -> None:
    assert next_digest(utc(2024, 1, 10, 6, 0), 8, AMS) == utc(2024, 1, 10, 7, 0)
    assert next_digest(utc(2024, 1, 10, 7, 0), 8, AMS) == utc(2024, 1, 11, 7, 0)
    # Spring forward: 08:00 CEST on the 31st is 06:00 UTC, not 07:00.
    assert next_digest(utc(2024, 3, 30, 12, 0), 8, AMS) == utc(2024, 3, 31, 6, 0)


def test_send_after_instant_quiet_digest() -> None:
    now = utc(2024, 1, 10, 22, 0)  # 23:00 Amsterdam
    assert send_after(now, Preferences(), "Europe/Amsterdam") == (now, False)
    quiet = Preferences(quiet_hours=NIGHT)
    assert send_after(now, quiet, "Europe/Amsterdam") == (utc(2024, 1, 11, 6, 0), False)
    digest = Preferences(digest="daily", digest_hour=18)
    assert send_after(now, digest, "Europe/Amsterdam") == (utc(2024, 1, 11, 17, 0), True)
    # A digest hour inside quiet hours waits for their end.
    held = Preferences(quiet_hours=NIGHT, digest="daily", digest_hour=6)
    assert send_after(now, held, "Europe/Amsterdam") == (utc(2024, 1, 11, 6, 0), True)


@given(
    now=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2060, 1, 1)),
    start=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    end=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    zone_name=st.sampled_from(["Europe/Amsterdam", "America/New_York", "Asia/Tehran", "UTC"]),
)
def test_quiet_until_is_ahead_outside_quiet_hours_and_soon(
    now: datetime, start: time, end: time, zone_name: str
) -> None:
    if start == end:
        return
    quiet, tz, moment = QuietHours(start, end), zone(zone_name), now.replace(tzinfo=UTC)
    until = quiet_until(moment, quiet, tz)
    if until is None:
        return
    assert moment < until <= moment + timedelta(hours=26)
    wall = until.astimezone(tz).time().replace(tzinfo=None)
    assert not is_quiet(wall, quiet) or wall == end


def test_defaults_and_validation() -> None:
    defaults = Preferences()
    assert defaults.channels_for("assigned") == Channels(in_app=True, email=True)
    assert defaults.channels_for("deal_moved") == Channels(in_app=True, email=False)
    assert defaults.channels_for("mention").email and defaults.channels_for("sla_breached").email
    assert set(prefs.BASE_TYPES) <= set(prefs.known_types())
    built = prefs.build({"deal_moved": (False, True)}, ("22:00", "07:00"), "daily", 9)
    assert built.channels_for("deal_moved") == Channels(in_app=False, email=True)
    assert built.quiet_hours == NIGHT and built.digest_hour == 9
    for bad, field_name in [
        (lambda: prefs.build({"nope": (True, True)}, None, "off", 8), "channels.nope"),
        (lambda: prefs.build({}, ("25:00", "07:00"), "off", 8), "quiet_hours.start"),
        (lambda: prefs.build({}, ("22:00", "7"), "off", 8), "quiet_hours.end"),
        (lambda: prefs.build({}, ("22:00", "22:00"), "off", 8), "quiet_hours.end"),
        (lambda: prefs.build({}, None, "weekly", 8), "digest"),
        (lambda: prefs.build({}, None, "daily", 24), "digest_hour"),
    ]:
        with pytest.raises(InvalidArgument) as caught:
            bad()
        assert caught.value.violations[0].field == field_name
