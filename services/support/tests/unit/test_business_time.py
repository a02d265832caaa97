"""Business-time arithmetic against a brute minute-by-minute reference, plus examples."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from bt_reference import ref_add, ref_between
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.domain.business_time import (
    Calendar,
    CalendarNeverOpen,
    add_business_minutes,
    business_intervals,
    business_minutes_between,
)

ZONES = ["Europe/Amsterdam", "America/New_York", "Asia/Tehran", "Asia/Tokyo"]
AMS = ZoneInfo("Europe/Amsterdam")
WEEKDAYS_9_17 = {d: ((time(9), time(17)),) for d in range(5)}

# DST changes (UTC instants) the random starts cluster around, plus quiet dates.
# Amsterdam 2026-03-29 01:00Z / 2026-10-25 01:00Z; New York 2026-03-08 07:00Z /
# 2026-11-01 06:00Z; Tehran 2021-03-21 20:30Z / 2021-09-21 19:30Z (last DST year 2022);
# Tokyo has none.
ANCHORS = [
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
    datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
    datetime(2021, 3, 21, 20, 30, tzinfo=UTC),
    datetime(2021, 9, 21, 19, 30, tzinfo=UTC),
    datetime(2022, 3, 21, 20, 30, tzinfo=UTC),
    datetime(2026, 6, 15, 0, 0, tzinfo=UTC),
    datetime(2026, 12, 24, 0, 0, tzinfo=UTC),
]

PROPS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def day_intervals(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    """0-3 non-overlapping intervals on a 15-minute grid (some odd minutes too); an end
    of 24:00 is time(0, 0). Times inside DST gaps/folds (01:00-04:00) are frequent."""
    n = draw(st.integers(0, 3))
    points = sorted(draw(st.sets(st.integers(0, 24 * 60), min_size=2 * n, max_size=2 * n)))
    out = []
    for i in range(n):
        s, e = points[2 * i], points[2 * i + 1]
        if s == e:
            continue
        end = time(0, 0) if e == 24 * 60 else time(e // 60, e % 60)
        out.append((time(s // 60, s % 60), end))
    return tuple(out)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    zone = draw(st.sampled_from(ZONES))
    always = draw(st.integers(0, 9)) == 0
    weekly = {d: iv for d in range(7) if (iv := draw(day_intervals()))}
    if not weekly and not always:
        weekly = {draw(st.integers(0, 6)): ((time(1, 30), time(3, 15)),)}
    anchor = draw(st.sampled_from(ANCHORS))
    holidays = frozenset(
        anchor.date() + timedelta(days=k) for k in draw(st.sets(st.integers(-5, 20), max_size=5))
    )
    return Calendar(timezone=zone, weekly=weekly, holidays=holidays, always_open=always)


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    anchor = draw(st.sampled_from(ANCHORS))
    days = draw(st.integers(-3, 2))
    return anchor + timedelta(days=days, minutes=draw(st.integers(0, 24 * 60 - 1)))


def spans(max_days: int) -> st.SearchStrategy[int]:
    """Minutes up to ``max_days`` days, spread over whole days (hypothesis alone
    favours small numbers)."""
    return st.builds(
        lambda d, m: d * 24 * 60 + m, st.integers(0, max_days), st.integers(0, 24 * 60 - 1)
    )


@PROPS
@given(cal=calendars(), start=instants(), span=spans(14))
def test_between_matches_the_minute_reference(cal: Calendar, start: datetime, span: int) -> None:
    end = start + timedelta(minutes=span)
    assert business_minutes_between(cal, start, end) == ref_between(cal, start, end)


@PROPS
@given(cal=calendars(), start=instants(), n=st.one_of(st.integers(0, 3), spans(5)))
def test_add_matches_the_minute_reference(cal: Calendar, start: datetime, n: int) -> None:
    horizon = start + timedelta(days=40)
    expected = ref_add(cal, start, n, horizon)
    if expected is None:  # the calendar is too sparse for n minutes within the horizon
        assert add_business_minutes(cal, start, n) >= horizon
        return
    assert add_business_minutes(cal, start, n) == expected


@PROPS
@given(cal=calendars(), start=instants(), n=spans(4).map(lambda n: n + 1))
def test_add_then_between_round_trips(cal: Calendar, start: datetime, n: int) -> None:
    due = add_business_minutes(cal, start, n)
    assert due.tzinfo is not None and due.utcoffset() == timedelta(0)
    assert business_minutes_between(cal, start, due) == n
    # earliest: one minute earlier is one business minute short
    assert business_minutes_between(cal, start, due - timedelta(minutes=1)) == n - 1


@PROPS
@given(cal=calendars(), start=instants(), a=spans(5), b=spans(5))
def test_between_is_additive(cal: Calendar, start: datetime, a: int, b: int) -> None:
    mid = start + timedelta(minutes=a)
    end = mid + timedelta(minutes=b)
    total = business_minutes_between(cal, start, end)
    assert total == business_minutes_between(cal, start, mid) + business_minutes_between(
        cal, mid, end
    )


@PROPS
@given(cal=calendars(), start=instants())
def test_intervals_are_sorted_disjoint_and_business(cal: Calendar, start: datetime) -> None:
    until = start + timedelta(days=10)
    previous_end = None
    for a, b in business_intervals(cal, start, until):
        assert a < b
        assert a >= start
        if previous_end is not None:
            assert a >= previous_end
        previous_end = b
        if a > until:
            break


# -- examples ---------------------------------------------------------------------


def ams(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)  # type: ignore[misc]


def test_two_business_hours_from_friday_1630_is_monday_1030() -> None:
    cal = Calendar("Europe/Amsterdam", WEEKDAYS_9_17)
    due = add_business_minutes(cal, ams(2026, 11, 27, 16, 30), 120)
    assert due == ams(2026, 11, 30, 10, 30)
    assert due.tzinfo == UTC


def test_reaching_the_target_at_closing_time_is_closing_time() -> None:
    cal = Calendar("Europe/Amsterdam", WEEKDAYS_9_17)
    assert add_business_minutes(cal, ams(2026, 11, 27, 16, 30), 30) == ams(2026, 11, 27, 17, 0)
    assert add_business_minutes(cal, ams(2026, 11, 28, 12, 0), 0) == ams(2026, 11, 28, 12, 0)


def test_holidays_are_skipped() -> None:
    cal = Calendar(
        "Europe/Amsterdam",
        WEEKDAYS_9_17,
        holidays=frozenset({date(2026, 12, 25), date(2026, 12, 28)}),
    )
    # Thu 24 Dec 16:00 + 2h: 1h on Thursday, Fri 25 and Mon 28 are holidays, Tue 29 10:00.
    assert add_business_minutes(cal, ams(2026, 12, 24, 16, 0), 120) == ams(2026, 12, 29, 10, 0)
    assert business_minutes_between(cal, ams(2026, 12, 24, 0, 0), ams(2026, 12, 30, 0, 0)) == (
        2 * 8 * 60  # Thursday 24 and Tuesday 29
    )


def test_lunch_break() -> None:
    lunch = ((time(9), time(12)), (time(13), time(17)))
    cal = Calendar("Europe/Amsterdam", {d: lunch for d in range(5)})
    assert add_business_minutes(cal, ams(2026, 11, 30, 11, 0), 90) == ams(2026, 11, 30, 13, 30)
    assert business_minutes_between(cal, ams(2026, 11, 30, 8, 0), ams(2026, 12, 1, 0, 0)) == 420


def test_interval_ending_at_midnight_runs_into_the_next_day() -> None:
    cal = Calendar("Asia/Tokyo", {0: ((time(22), time(0)),), 1: ((time(0), time(2)),)})
    start = datetime(2026, 11, 30, 23, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert add_business_minutes(cal, start, 120) == start + timedelta(hours=2)


def test_dst_gap_counts_nothing_and_the_repeated_hour_counts_twice() -> None:
    night = {d: ((time(0), time(0)),) for d in range(7)}  # 00:00-24:00 every day
    cal = Calendar("Europe/Amsterdam", night)
    # 29 March 2026 has 23 hours on the wall, 25 October 2026 has 25.
    assert business_minutes_between(cal, ams(2026, 3, 29), ams(2026, 3, 30)) == 23 * 60
    assert business_minutes_between(cal, ams(2026, 10, 25), ams(2026, 10, 26)) == 25 * 60
    only_two_to_three = {6: ((time(2), time(3)),)}
    cal2 = Calendar("Europe/Amsterdam", only_two_to_three)
    assert business_minutes_between(cal2, ams(2026, 3, 29), ams(2026, 3, 30)) == 0
    assert business_minutes_between(cal2, ams(2026, 10, 25), ams(2026, 10, 26)) == 120


def test_new_york_business_day_across_spring_forward() -> None:
    ny = ZoneInfo("America/New_York")
    cal = Calendar("America/New_York", {d: ((time(9), time(17)),) for d in range(7)})
    # Saturday 7 March 16:00 EST + 2h -> Sunday 8 March (EDT) 10:00
    start = datetime(2026, 3, 7, 16, 0, tzinfo=ny)
    assert add_business_minutes(cal, start, 120) == datetime(2026, 3, 8, 10, 0, tzinfo=ny)
    assert add_business_minutes(cal, start, 120) - start == timedelta(hours=17)


def test_tehran_half_hour_offset() -> None:
    teh = ZoneInfo("Asia/Tehran")
    # Iran's working week is Saturday to Wednesday.
    cal = Calendar("Asia/Tehran", {d: ((time(8), time(16)),) for d in (5, 6, 0, 1, 2)})
    start = datetime(2026, 11, 25, 15, 0, tzinfo=teh)  # Wednesday
    assert add_business_minutes(cal, start, 120) == datetime(2026, 11, 28, 9, 0, tzinfo=teh)


def test_always_open() -> None:
    cal = Calendar("UTC", always_open=True)
    start = datetime(2026, 1, 1, 12, 0, 30, tzinfo=UTC)
    assert add_business_minutes(cal, start, 90) == start + timedelta(minutes=90)
    assert business_minutes_between(cal, start, start + timedelta(seconds=150)) == 2


def test_end_before_start_is_zero_and_naive_or_negative_is_refused() -> None:
    cal = Calendar("Europe/Amsterdam", WEEKDAYS_9_17)
    assert business_minutes_between(cal, ams(2026, 11, 30, 12), ams(2026, 11, 30, 10)) == 0
    with pytest.raises(ValueError):
        add_business_minutes(cal, datetime(2026, 11, 30, 12), 5)
    with pytest.raises(ValueError):
        add_business_minutes(cal, ams(2026, 11, 30, 12), -1)


def test_a_calendar_that_never_opens_is_refused_not_looped() -> None:
    holidays = frozenset(date(2026, 1, 1) + timedelta(days=k) for k in range(800))
    cal = Calendar("Europe/Amsterdam", WEEKDAYS_9_17, holidays=holidays)
    with pytest.raises(CalendarNeverOpen):
        add_business_minutes(cal, ams(2026, 1, 2, 9), 1)
    with pytest.raises(CalendarNeverOpen):
        add_business_minutes(Calendar("Asia/Tokyo", {}), ams(2026, 1, 2, 9), 1)


def test_a_year_of_business_time_is_quick_to_walk() -> None:
    cal = Calendar("America/New_York", {d: ((time(9), time(17)),) for d in range(5)})
    start = datetime(2026, 1, 5, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    due = add_business_minutes(cal, start, 260 * 8 * 60)
    assert business_minutes_between(cal, start, due) == 260 * 8 * 60


def test_overlapping_intervals_built_directly_count_once() -> None:
    overlapping = ((time(9), time(13)), (time(12), time(17)), (time(10), time(11)))
    cal = Calendar("Europe/Amsterdam", {0: overlapping})
    monday = ams(2026, 11, 30)
    assert business_minutes_between(cal, monday, monday + timedelta(days=1)) == 8 * 60
    assert add_business_minutes(cal, ams(2026, 11, 30, 12, 30), 60) == ams(2026, 11, 30, 13, 30)
