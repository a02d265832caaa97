"""Field-service rules, pure: contract status and consumption, work-order and
appointment transitions, the technician's overlaps, timelog values."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_common.errors import FailedPrecondition, InvalidArgument
from support.domain import appointments, contracts, timelogs, work_orders
from support.domain.appointments import Slot

TODAY = date(2026, 6, 15)


def contract(**changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "Gold support",
        "account_id": uuid.uuid4(),
        "start_date": date(2026, 1, 1),
        "end_date": date(2026, 12, 31),
        "entitlement_type": "hours",
        "entitlement_total": Decimal("40"),
        "status": "draft",
    }
    return {**values, **changes}


def fields_of(error: InvalidArgument) -> set[str]:
    return {v.field for v in error.violations}


def test_a_valid_contract_passes_and_tiers_are_lower_case() -> None:
    contracts.validate(contract())
    assert contracts.clean({"tier": " Gold ", "name": " A "}) == {"tier": "gold", "name": "A"}


def test_contract_rules_name_every_field() -> None:
    bad = contract(
        name="", end_date=date(2025, 12, 31), entitlement_type="visits",
        entitlement_total=Decimal("0"), status="expired",
    )  # fmt: skip
    with pytest.raises(InvalidArgument) as caught:
        contracts.validate(bad)
    expected = {"name", "end_date", "entitlement_type", "entitlement_total", "status"}
    assert fields_of(caught.value) == expected


@pytest.mark.parametrize(
    ("kind", "total", "ok"),
    [
        ("cases", Decimal("10"), True),
        ("cases", Decimal("2.5"), False),  # a number of cases is whole
        ("hours", Decimal("2.5"), True),
        ("hours", Decimal("2.555"), False),
        ("hours", Decimal("1000001"), False),
    ],
)
def test_entitlement_totals(kind: str, total: Decimal, ok: bool) -> None:
    values = contract(entitlement_type=kind, entitlement_total=total)
    if ok:
        contracts.validate(values)
    else:
        with pytest.raises(InvalidArgument) as caught:
            contracts.validate(values)
        assert fields_of(caught.value) == {"entitlement_total"}


def test_expired_is_derived_from_the_end_date() -> None:
    assert contracts.effective_status("active", TODAY, TODAY) == "active"  # last day counts
    assert contracts.effective_status("active", TODAY - timedelta(days=1), TODAY) == "expired"
    assert contracts.effective_status("draft", TODAY - timedelta(days=9), TODAY) == "draft"
    assert contracts.effective_status("cancelled", date(2000, 1, 1), TODAY) == "cancelled"


def test_contract_transitions() -> None:
    end = TODAY + timedelta(days=30)
    contracts.check_transition("draft", "active", end, TODAY)
    contracts.check_transition("active", "cancelled", end, TODAY)
    contracts.check_transition("active", "active", end, TODAY)
    for current, wanted in [("active", "draft"), ("cancelled", "active"), ("cancelled", "draft")]:
        with pytest.raises(FailedPrecondition):
            contracts.check_transition(current, wanted, end, TODAY)
    with pytest.raises(InvalidArgument) as caught:  # it would be expired at once
        contracts.check_transition("draft", "active", TODAY - timedelta(days=1), TODAY)
    assert fields_of(caught.value) == {"status"}


def test_consumption_in_cases() -> None:
    used = contracts.consumption("cases", Decimal("3"), cases_used=2, minutes_used=95)
    assert (used.cases_used, used.hours_used, used.used) == (2, Decimal("1.58"), Decimal(2))
    assert (used.remaining, used.exhausted) == (Decimal(1), False)
    full = contracts.consumption("cases", Decimal("3"), cases_used=4, minutes_used=0)
    assert (full.remaining, full.exhausted) == (Decimal(0), True)  # never below zero


def test_consumption_in_hours() -> None:
    used = contracts.consumption("hours", Decimal("2"), cases_used=7, minutes_used=90)
    assert (used.used, used.remaining, used.exhausted) == (Decimal("1.50"), Decimal("0.50"), False)
    full = contracts.consumption("hours", Decimal("2"), cases_used=0, minutes_used=120)
    assert (full.remaining, full.exhausted) == (Decimal(0), True)


@given(
    total=st.integers(min_value=1, max_value=10_000),
    minutes=st.integers(min_value=0, max_value=2_000_000),
)
def test_hours_used_plus_remaining_is_the_entitlement_until_exhausted(
    total: int, minutes: int
) -> None:
    used = contracts.consumption("hours", Decimal(total), 0, minutes)
    assert used.remaining >= 0
    assert used.exhausted == (used.used >= total)
    if not used.exhausted:
        assert used.used + used.remaining == total


def test_expiry_window() -> None:
    assert contracts.expiring("active", TODAY + timedelta(days=30), TODAY, 30)
    assert contracts.expiring("active", TODAY, TODAY, 30)
    assert not contracts.expiring("active", TODAY + timedelta(days=31), TODAY, 30)
    assert not contracts.expiring("active", TODAY - timedelta(days=1), TODAY, 30)
    assert not contracts.expiring("draft", TODAY + timedelta(days=3), TODAY, 30)
    assert contracts.days_left(TODAY + timedelta(days=5), TODAY) == 5


def test_work_order_transition_table() -> None:
    allowed = {(a, b) for a, targets in work_orders.TRANSITIONS.items() for b in targets}
    for current in work_orders.STATUSES:
        for wanted in work_orders.STATUSES:
            if current == wanted or (current, wanted) in allowed:
                work_orders.check_transition(current, wanted)
            else:
                with pytest.raises(FailedPrecondition):
                    work_orders.check_transition(current, wanted)
    assert ("new", "completed") not in allowed  # work happens before it is done
    assert ("in_progress", "completed") in allowed
    for closed in ("completed", "cancelled"):
        assert work_orders.TRANSITIONS[closed] == frozenset()
        with pytest.raises(FailedPrecondition):
            work_orders.check_open(closed)


def test_work_order_values() -> None:
    work_orders.validate({"subject": "Fix", "priority": "P2", "status": "new"}, creating=True)
    with pytest.raises(InvalidArgument) as caught:
        work_orders.validate(
            {"subject": "", "priority": "P9", "status": "completed"}, creating=True
        )
    assert fields_of(caught.value) == {"subject", "priority", "status"}
    assert work_orders.clean({"priority": " p1 "}) == {"priority": "P1"}


def test_appointment_transitions() -> None:
    appointments.check_transition("scheduled", "dispatched")
    appointments.check_transition("dispatched", "in_progress")
    appointments.check_transition("in_progress", "completed")
    for current, wanted in [("scheduled", "completed"), ("completed", "scheduled"),
                            ("cancelled", "scheduled")]:  # fmt: skip
        with pytest.raises(FailedPrecondition):
            appointments.check_transition(current, wanted)


def at(hour: float) -> datetime:
    return datetime(2026, 6, 15, tzinfo=UTC) + timedelta(hours=hour)


def test_overlaps_are_half_open() -> None:
    nine_to_eleven = Slot(at(9), at(11))
    assert appointments.overlaps(nine_to_eleven, Slot(at(10), at(12)))
    assert appointments.overlaps(nine_to_eleven, Slot(at(9.5), at(10)))  # inside
    assert appointments.overlaps(Slot(at(8), at(12)), nine_to_eleven)  # around
    assert not appointments.overlaps(nine_to_eleven, Slot(at(11), at(12)))  # back to back
    assert not appointments.overlaps(Slot(at(7), at(9)), nine_to_eleven)


@given(
    a=st.tuples(st.integers(0, 200), st.integers(1, 50)),
    b=st.tuples(st.integers(0, 200), st.integers(1, 50)),
)
def test_overlap_matches_shared_minutes(a: tuple[int, int], b: tuple[int, int]) -> None:
    """Two slots overlap exactly when some minute lies in both."""
    first = Slot(at(0) + timedelta(minutes=a[0]), at(0) + timedelta(minutes=a[0] + a[1]))
    second = Slot(at(0) + timedelta(minutes=b[0]), at(0) + timedelta(minutes=b[0] + b[1]))
    shared = set(range(a[0], a[0] + a[1])) & set(range(b[0], b[0] + b[1]))
    assert appointments.overlaps(first, second) == bool(shared)
    assert appointments.overlaps(first, second) == appointments.overlaps(second, first)


def test_appointment_values() -> None:
    good = {"work_order_id": uuid.uuid4(), "technician_id": uuid.uuid4(),
            "scheduled_start": at(9), "scheduled_end": at(10), "status": "scheduled"}  # fmt: skip
    appointments.validate(good, creating=True)
    with pytest.raises(InvalidArgument) as caught:
        appointments.validate({**good, "scheduled_end": at(9)}, creating=True)
    assert fields_of(caught.value) == {"scheduled_end"}
    with pytest.raises(InvalidArgument) as caught:
        appointments.validate({**good, "scheduled_end": at(9 + 24 * 15)}, creating=True)
    assert fields_of(caught.value) == {"scheduled_end"}
    with pytest.raises(InvalidArgument) as caught:
        appointments.validate({**good, "status": "completed", "technician_id": None}, creating=True)
    assert fields_of(caught.value) == {"status", "technician_id"}


def test_timelog_values_and_totals() -> None:
    timelogs.validate({"case_id": uuid.uuid4(), "minutes": 30})
    for bad, field in [
        ({"minutes": 30}, "case_id"),
        ({"case_id": uuid.uuid4(), "work_order_id": uuid.uuid4(), "minutes": 30}, "case_id"),
        ({"case_id": uuid.uuid4(), "minutes": 0}, "minutes"),
        ({"case_id": uuid.uuid4(), "minutes": 1441}, "minutes"),
        ({"case_id": uuid.uuid4(), "minutes": 5, "note": "x" * 2001}, "note"),
    ]:
        with pytest.raises(InvalidArgument) as caught:
            timelogs.validate(bad)
        assert fields_of(caught.value) == {field}
    totals = timelogs.totals([(30, True), (45, False), (15, True)])
    assert (totals.total_minutes, totals.billable_minutes) == (90, 45)
    assert (totals.total_hours, totals.billable_hours) == (Decimal("1.50"), Decimal("0.75"))
