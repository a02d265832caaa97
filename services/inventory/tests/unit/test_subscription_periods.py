"""Period arithmetic of subscriptions and recurring invoices: anchored to the
start day with month-end clamping, terms, renewal, cancellation, the next step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from crm_common.errors import InvalidArgument
from inventory.domain import subscriptions as rules


@pytest.mark.parametrize(
    ("anchor", "period", "starts"),
    [
        # Jan 31 -> Feb 28 -> Mar 31: each start from the anchor, never from the last
        (date(2026, 1, 31), "month", [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31),
                                      date(2026, 4, 30), date(2026, 5, 31)]),
        (date(2028, 1, 31), "month", [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]),
        (date(2026, 11, 30), "quarter", [date(2026, 11, 30), date(2027, 2, 28),
                                         date(2027, 5, 30), date(2027, 8, 30)]),
        (date(2028, 2, 29), "year", [date(2028, 2, 29), date(2029, 2, 28), date(2030, 2, 28),
                                     date(2031, 2, 28), date(2032, 2, 29)]),
        (date(2026, 12, 15), "month", [date(2026, 12, 15), date(2027, 1, 15)]),
    ],
)  # fmt: skip
def test_period_starts_are_anchored_and_clamped(anchor, period, starts) -> None:
    assert [rules.period_start(anchor, period, k) for k in range(len(starts))] == starts


def test_a_period_ends_the_day_before_the_next() -> None:
    anchor = date(2026, 1, 31)
    assert rules.period_end(anchor, "month", 0) == date(2026, 2, 27)
    assert rules.period_end(anchor, "month", 1) == date(2026, 3, 30)
    assert rules.period_end(date(2026, 1, 1), "year", 0) == date(2026, 12, 31)


@pytest.mark.parametrize(
    ("day", "count"),
    [
        (date(2026, 1, 30), 0),
        (date(2026, 1, 31), 1),
        (date(2026, 2, 27), 1),
        (date(2026, 2, 28), 2),
        (date(2026, 3, 30), 2),
        (date(2026, 3, 31), 3),
        (date(2027, 1, 31), 13),
    ],
)
def test_periods_through_counts_the_started_periods(day: date, count: int) -> None:
    assert rules.periods_through(date(2026, 1, 31), "month", day) == count


def test_term_renewal_and_cancellation_ends() -> None:
    anchor = date(2026, 1, 31)
    assert rules.term_periods(anchor, "month", date(2026, 3, 30), auto_renew=True) == 2
    assert rules.term_periods(anchor, "month", None, auto_renew=False) == 0
    # two more periods after the term's end (Mar 30): Mar 31 .. May 30
    assert rules.renewed_end(anchor, "month", date(2026, 3, 30), 2) == date(2026, 5, 30)
    assert rules.cancellation_end(anchor, "month", date(2026, 2, 28)) == date(2026, 3, 30)
    assert rules.cancellation_end(anchor, "month", date(2026, 1, 1)) is None


@pytest.mark.parametrize(
    ("end", "renew", "field"),
    [(None, True, "auto_renew"), (date(2025, 12, 31), False, "end_date")],
)
def test_bad_terms_name_the_field(end, renew, field) -> None:
    with pytest.raises(InvalidArgument) as caught:
        rules.term_periods(date(2026, 1, 1), "month", end, auto_renew=renew)
    assert [v.field for v in caught.value.violations] == [field]


def test_unknown_period_and_mode_name_the_field() -> None:
    for check, field in ((rules.check_period, "period"), (rules.check_mode, "invoice_mode")):
        with pytest.raises(InvalidArgument) as caught:
            check("weekly")
        assert caught.value.violations[0].field == field


@dataclass
class FakeSchedule:
    start_date: date
    end_date: date | None
    auto_renew: bool
    term_periods: int
    periods_billed: int = 0
    status: str = "active"
    period: str = "month"
    next_period_start: date = date(1, 1, 1)

    def __post_init__(self) -> None:
        self.next_period_start = rules.period_start(self.start_date, self.period, 0)


def test_next_step_bills_renews_and_finishes() -> None:
    s = FakeSchedule(date(2026, 1, 31), date(2026, 2, 27), auto_renew=True, term_periods=1)
    assert rules.next_step(s, date(2026, 1, 30)) == rules.WAIT
    assert rules.next_step(s, date(2026, 1, 31)) == rules.BILL
    rules.advance(s)
    assert s.next_period_start == date(2026, 2, 28)
    assert rules.next_step(s, date(2026, 2, 27)) == rules.WAIT
    assert rules.next_step(s, date(2026, 2, 28)) == rules.RENEW
    s.end_date = rules.renew_end(s)
    assert s.end_date == date(2026, 3, 30)
    assert rules.next_step(s, date(2026, 2, 28)) == rules.BILL
    s.auto_renew = False
    rules.advance(s)
    assert rules.next_step(s, date(2026, 4, 1)) == rules.FINISH
