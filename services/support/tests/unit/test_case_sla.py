"""The SLA clock of a case: the policy snapshot, the schedule of due, warning and
escalation instants, and the SLA status (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from support.domain import case_sla as rules
from support.domain.business_time import Calendar
from support.domain.sla_clock import Pause
from support.domain.sla_policies import Escalation

AMS = ZoneInfo("Europe/Amsterdam")
OFFICE = Calendar(
    timezone="Europe/Amsterdam",
    weekly={day: ((time(9), time(17)),) for day in range(5)},
    holidays=frozenset({date(2026, 12, 25)}),
)
GROUP = uuid.uuid4()


def terms(**kw: object) -> rules.SlaTerms:
    values: dict[str, object] = {
        "policy_id": uuid.uuid4(),
        "calendar": OFFICE,
        "first_response_minutes": 60,
        "next_response_minutes": 30,
        "resolution_minutes": 120,
        "warning_percent": 75,
        "pause_statuses": frozenset({"waiting_on_customer"}),
        "escalations": (
            Escalation(2, 60, None, True),
            Escalation(1, 30, GROUP, False),
        ),
    }
    values.update(kw)
    return rules.SlaTerms(**values)  # type: ignore[arg-type]


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def test_the_snapshot_survives_json() -> None:
    original = terms()
    assert rules.terms_from_json(rules.terms_to_json(original)) == original


def test_friday_1630_p1_with_two_hours_is_due_monday_1030() -> None:
    plan = rules.schedule(
        terms(),
        started_at=local(2026, 3, 6, 16, 30),
        pauses=[],
        first_responded=False,
        awaiting_since=None,
        escalation_level=0,
    )
    assert plan.resolution_due_at == local(2026, 3, 9, 10, 30)
    assert plan.resolution_warn_at == local(2026, 3, 9, 10, 0)  # 75% of 120 = 90 minutes
    assert plan.first_response_due_at == local(2026, 3, 9, 9, 30)
    # level 1 (30 minutes after the target) comes first, whatever its number
    assert plan.next_escalation_at == local(2026, 3, 9, 11, 0)
    assert plan.next_response_due_at is None


def test_a_pause_moves_due_times_by_paused_business_time() -> None:
    pause = Pause(local(2026, 3, 9, 9, 0), local(2026, 3, 9, 9, 45))
    plan = rules.schedule(
        terms(),
        started_at=local(2026, 3, 6, 16, 30),
        pauses=[pause],
        first_responded=True,
        awaiting_since=None,
        escalation_level=2,
    )
    assert plan.resolution_due_at == local(2026, 3, 9, 11, 15)
    assert plan.first_response_due_at is None
    assert plan.next_escalation_at is None  # both levels done


def test_an_open_pause_stops_the_clock() -> None:
    plan = rules.schedule(
        terms(),
        started_at=local(2026, 3, 6, 16, 30),
        pauses=[Pause(local(2026, 3, 9, 9, 0))],
        first_responded=False,
        awaiting_since=None,
        escalation_level=0,
    )
    assert plan.resolution_due_at is None


def test_next_response_runs_from_the_customer_comment() -> None:
    since = local(2026, 3, 9, 16, 50)
    plan = rules.schedule(
        terms(),
        started_at=local(2026, 3, 6, 16, 30),
        pauses=[Pause(local(2026, 3, 9, 9, 0), local(2026, 3, 9, 10, 0))],  # before: ignored
        first_responded=True,
        awaiting_since=since,
        escalation_level=0,
    )
    assert plan.next_response_due_at == local(2026, 3, 10, 9, 20)


def test_warning_minutes_round_up() -> None:
    assert rules.warning_minutes(2, 80) == 2
    assert rules.warning_minutes(120, 75) == 90
    assert rules.warning_minutes(10, 0) is None


def test_elapsed_without_a_policy_is_wall_clock() -> None:
    start = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)  # a Saturday
    assert rules.elapsed(None, start, start + timedelta(minutes=95), []) == 95
    assert rules.elapsed(terms(), start, start + timedelta(minutes=95), []) == 0


def test_sla_status() -> None:
    flags = rules.SlaFlags
    assert rules.sla_status(flags("open", paused=False)) == "on_track"
    assert rules.sla_status(flags("open", paused=False, resolution_warned=True)) == "warning"
    assert rules.sla_status(flags("open", paused=False, first_response_breached=True)) == "breached"
    assert rules.sla_status(flags("waiting_on_customer", paused=True)) == "paused"
    assert rules.sla_status(flags("resolved", paused=True)) == "fulfilled"
    assert rules.sla_status(flags("closed", paused=True, resolution_breached=True)) == "breached"


def test_which_statuses_stop_the_clock() -> None:
    assert rules.clock_stopped("waiting_on_customer", {"waiting_on_customer"})
    assert rules.clock_stopped("resolved", set())
    assert not rules.clock_stopped("waiting_on_third_party", {"waiting_on_customer"})
