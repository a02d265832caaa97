"""The SLA clock (elapsed business minutes, due times) with pauses, against the
minute-by-minute reference, plus examples."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from bt_reference import ref_add, ref_between
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_business_time import calendars, instants, spans

from support.domain.business_time import Calendar
from support.domain.sla_clock import Pause, due_at, elapsed_business_minutes

PROPS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
AMS = ZoneInfo("Europe/Amsterdam")
MON_FRI_9_17 = Calendar("Europe/Amsterdam", {d: ((time(9), time(17)),) for d in range(5)})


def ams(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)  # type: ignore[misc]


@st.composite
def pauses(draw: st.DrawFn, started_at: datetime, *, allow_open: bool) -> list[Pause]:
    """0-3 pauses (may overlap, may begin before the clock started), the last maybe open."""
    out = []
    for _ in range(draw(st.integers(0, 3))):
        start = started_at + timedelta(minutes=draw(st.integers(-600, 6 * 24 * 60)))
        length = draw(spans(2))
        out.append(Pause(start, start + timedelta(minutes=length)))
    if allow_open and out and draw(st.booleans()):
        out[-1] = Pause(out[-1].start, None)
    return out


def holes(ps: list[Pause], now: datetime) -> list[tuple[datetime, datetime]]:
    return [(p.start, p.end if p.end is not None else now) for p in ps]


@PROPS
@given(cal=calendars(), started_at=instants(), span=spans(10), data=st.data())
def test_elapsed_matches_the_reference(
    cal: Calendar, started_at: datetime, span: int, data: st.DataObject
) -> None:
    now = started_at + timedelta(minutes=span)
    ps = data.draw(pauses(started_at, allow_open=True))
    expected = ref_between(cal, started_at, now, holes(ps, now))
    assert elapsed_business_minutes(cal, started_at, now, ps) == expected


@PROPS
@given(cal=calendars(), started_at=instants(), target=spans(3), data=st.data())
def test_due_at_matches_the_reference(
    cal: Calendar, started_at: datetime, target: int, data: st.DataObject
) -> None:
    ps = data.draw(pauses(started_at, allow_open=False))
    horizon = started_at + timedelta(days=45)
    expected = ref_add(cal, started_at, target, horizon, holes(ps, horizon))
    due = due_at(cal, started_at, target, ps)
    assert due is not None
    if expected is None:
        assert due >= horizon
    else:
        assert due == expected


@PROPS
@given(cal=calendars(), started_at=instants(), target=spans(3), data=st.data())
def test_elapsed_reaches_the_target_exactly_at_the_due_time(
    cal: Calendar, started_at: datetime, target: int, data: st.DataObject
) -> None:
    ps = data.draw(pauses(started_at, allow_open=False))
    due = due_at(cal, started_at, target, ps)
    assert due is not None
    assert elapsed_business_minutes(cal, started_at, due, ps) == target
    if target:
        assert elapsed_business_minutes(cal, started_at, due - timedelta(minutes=1), ps) == (
            target - 1
        )


@PROPS
@given(cal=calendars(), started_at=instants(), target=spans(2), data=st.data())
def test_pauses_only_move_the_due_time_later(
    cal: Calendar, started_at: datetime, target: int, data: st.DataObject
) -> None:
    ps = data.draw(pauses(started_at, allow_open=False))
    plain = due_at(cal, started_at, target, [])
    paused = due_at(cal, started_at, target, ps)
    assert plain is not None and paused is not None
    assert paused >= plain


def test_open_pause_stops_the_clock() -> None:
    started = ams(2026, 11, 27, 16, 30)
    assert due_at(MON_FRI_9_17, started, 120, [Pause(ams(2026, 11, 27, 16, 45), None)]) is None
    # elapsed stops growing while the pause is open
    ps = [Pause(ams(2026, 11, 30, 9, 30), None)]
    assert elapsed_business_minutes(MON_FRI_9_17, started, ams(2026, 11, 30, 9, 30), ps) == 60
    assert elapsed_business_minutes(MON_FRI_9_17, started, ams(2026, 11, 30, 16, 0), ps) == 60


def test_due_time_moves_by_paused_business_time_only() -> None:
    started = ams(2026, 11, 27, 16, 30)  # Friday
    assert due_at(MON_FRI_9_17, started, 120) == ams(2026, 11, 30, 10, 30)
    # waiting on the customer from Friday 16:45 to Monday 09:20: 15 + 20 business minutes
    weekend = Pause(ams(2026, 11, 27, 16, 45), ams(2026, 11, 30, 9, 20))
    assert due_at(MON_FRI_9_17, started, 120, [weekend]) == ams(2026, 11, 30, 11, 5)
    # a pause over the weekend only moves nothing
    saturday = Pause(ams(2026, 11, 28, 10, 0), ams(2026, 11, 29, 18, 0))
    assert due_at(MON_FRI_9_17, started, 120, [saturday]) == ams(2026, 11, 30, 10, 30)


def test_overlapping_pauses_count_once_and_pauses_before_start_are_clipped() -> None:
    started = ams(2026, 11, 30, 9, 0)
    ps = [
        Pause(ams(2026, 11, 30, 8, 0), ams(2026, 11, 30, 9, 30)),
        Pause(ams(2026, 11, 30, 9, 15), ams(2026, 11, 30, 10, 0)),
        Pause(ams(2026, 11, 30, 9, 45), ams(2026, 11, 30, 10, 0)),
    ]
    assert elapsed_business_minutes(MON_FRI_9_17, started, ams(2026, 11, 30, 11, 0), ps) == 60
    assert due_at(MON_FRI_9_17, started, 60, ps) == ams(2026, 11, 30, 11, 0)


def test_holiday_and_dst_together() -> None:
    cal = Calendar(
        "Europe/Amsterdam",
        {d: ((time(9), time(17)),) for d in range(5)},
        holidays=frozenset({date(2026, 10, 26)}),
    )
    started = ams(2026, 10, 23, 16, 0)  # Friday before the clocks go back
    assert due_at(cal, started, 120, []) == ams(2026, 10, 27, 10, 0)
    assert due_at(cal, started, 120, []) - started == timedelta(days=3, hours=19)  # type: ignore[operator]


def test_zero_target_and_bad_input() -> None:
    started = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert due_at(MON_FRI_9_17, started, 0) == started
    assert elapsed_business_minutes(MON_FRI_9_17, started, started - timedelta(hours=1)) == 0
    with pytest.raises(ValueError):
        due_at(MON_FRI_9_17, started, -5)


def test_naive_pause_times_are_refused() -> None:
    started = ams(2026, 11, 30, 9, 0)
    naive = Pause(datetime(2026, 11, 30, 10, 0), datetime(2026, 11, 30, 11, 0))
    with pytest.raises(ValueError):
        due_at(MON_FRI_9_17, started, 60, [naive])
    with pytest.raises(ValueError):
        elapsed_business_minutes(MON_FRI_9_17, started, ams(2026, 11, 30, 12, 0), [naive])
