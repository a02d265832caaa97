"""Subscriptions and recurring invoices without I/O: periods, terms, renewal and
the states.

Periods are anchored to the start date: period ``k`` starts ``k`` months (3k
for quarters, 12k for years) after ``start_date``, on the start's day of the
month, or on the last day of a shorter month (Jan 31 -> Feb 28/29 -> Mar 31:
the day is never lost, because every start is computed from the anchor, not
from the previous period). A period ends the day before the next one starts.

``end_date`` is the last day of the term (inclusive): a period that starts on
or before it is billed in full. ``term_periods`` is how many periods the first
term has; a renewal adds that many periods.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from crm_common.errors import FailedPrecondition, InvalidArgument

SUBSCRIPTIONS = "subscriptions"  # access module; recurring invoices use "invoices"

MONTHS = {"month": 1, "quarter": 3, "year": 12}
PERIODS = tuple(MONTHS)
ACTIVE, CANCELLED, ENDED = "active", "cancelled", "ended"
STATUSES = (ACTIVE, CANCELLED, ENDED)
DRAFT_MODE, ISSUE_MODE = "draft", "issue"
INVOICE_MODES = (DRAFT_MODE, ISSUE_MODE)
AT_PERIOD_END, IMMEDIATELY = "period_end", "immediately"
CANCEL_AT = (AT_PERIOD_END, IMMEDIATELY)
SUBSCRIPTION, RECURRING = "subscription", "recurring"  # billing_periods.source_kind
# Invoices the generator makes have this source (the invoice column is short);
# billing_periods and the ledger name the subscription or template.
INVOICE_SOURCE = "recurring"
MAX_TERM_PERIODS = 1200
MAX_START_DAYS = 3653  # start_date within ten years of today

SUBSCRIPTION_CREATED = "crm.inventory.subscription.created"
SUBSCRIPTION_RENEWED = "crm.inventory.subscription.renewed"
SUBSCRIPTION_CANCELLED = "crm.inventory.subscription.cancelled"


def period_start(anchor: date, period: str, index: int) -> date:
    """The first day of period ``index`` (0 = the anchor itself)."""
    months = anchor.month - 1 + MONTHS[period] * index
    year, month = anchor.year + months // 12, months % 12 + 1
    return date(year, month, min(anchor.day, calendar.monthrange(year, month)[1]))


def period_end(anchor: date, period: str, index: int) -> date:
    """The last day of period ``index``."""
    return period_start(anchor, period, index + 1) - timedelta(days=1)


def periods_through(anchor: date, period: str, day: date) -> int:
    """How many periods start on or before ``day`` (0 when it is before the anchor)."""
    if day < anchor:
        return 0
    months = (day.year - anchor.year) * 12 + day.month - anchor.month
    count = months // MONTHS[period] + 1  # at most one too many (a later day of month)
    return count if period_start(anchor, period, count - 1) <= day else count - 1


def check_period(period: str) -> str:
    value = period.strip().lower()
    if value not in MONTHS:
        raise InvalidArgument.for_field("period", f"one of {', '.join(PERIODS)}")
    return value


def check_mode(mode: str) -> str:
    value = mode.strip().lower() or DRAFT_MODE
    if value not in INVOICE_MODES:
        raise InvalidArgument.for_field("invoice_mode", f"one of {', '.join(INVOICE_MODES)}")
    return value


def term_periods(anchor: date, period: str, end: date | None, auto_renew: bool) -> int:
    """The periods of the first term; checks end_date and auto_renew together."""
    if end is None:
        if auto_renew:
            raise InvalidArgument.for_field("auto_renew", "renewal needs an end_date")
        return 0
    if end < anchor:
        raise InvalidArgument.for_field("end_date", "must not be before start_date")
    count = periods_through(anchor, period, end)
    if count > MAX_TERM_PERIODS:
        raise InvalidArgument.for_field("end_date", f"at most {MAX_TERM_PERIODS} periods")
    return count


def renewed_end(anchor: date, period: str, end: date, term: int) -> date:
    """The term after ``end``: ``term`` more periods, ending on a period boundary."""
    return period_end(anchor, period, periods_through(anchor, period, end) + term - 1)


def cancellation_end(anchor: date, period: str, today: date) -> date | None:
    """Cancelling at period end: the last day of the period that contains
    ``today`` (None: no period has started, so nothing is left to bill)."""
    started = periods_through(anchor, period, today)
    return period_end(anchor, period, started - 1) if started else None


class Schedule(Protocol):
    """What the generator reads of a subscription or a template."""

    status: str
    period: str
    start_date: date
    end_date: date | None
    auto_renew: bool
    term_periods: int
    periods_billed: int
    next_period_start: date


WAIT, BILL, RENEW, FINISH = "wait", "bill", "renew", "finish"


def next_step(s: Schedule, today: date) -> str:
    """What the generator does next: bill the next period once it has started,
    renew (auto_renew) or finish when the next period lies past the term."""
    if s.status != ACTIVE or s.next_period_start > today:
        return WAIT
    if s.end_date is not None and s.next_period_start > s.end_date:
        return RENEW if s.auto_renew and s.term_periods > 0 else FINISH
    return BILL


def renew_end(s: Schedule) -> date:
    """The end of the next term: ``term_periods`` more periods after the later of
    the old end and the last period billed (so one renewal always moves on)."""
    assert s.end_date is not None
    last_billed = s.next_period_start - timedelta(days=1)
    return renewed_end(s.start_date, s.period, max(s.end_date, last_billed), s.term_periods)


def advance(s: Schedule) -> None:
    """After billing the next period."""
    s.periods_billed += 1
    s.next_period_start = period_start(s.start_date, s.period, s.periods_billed)


def new_schedule(
    period: str, start: date, end: date | None, *, auto_renew: bool, mode: str, today: date
) -> dict[str, object]:
    """The schedule columns of a new subscription or template, checked."""
    period = check_period(period)
    if abs((start - today).days) > MAX_START_DAYS:
        raise InvalidArgument.for_field("start_date", "within 10 years of today")
    return {
        "period": period, "start_date": start, "end_date": end, "auto_renew": auto_renew,
        "term_periods": term_periods(start, period, end, auto_renew), "status": ACTIVE,
        "periods_billed": 0, "next_period_start": start, "invoice_mode": check_mode(mode),
    }  # fmt: skip


def change_term(s: Schedule, end: date | None, auto_renew: bool) -> None:
    """A new end date or renewal choice; a term set on an open-ended schedule
    counts from the next period to bill."""
    if end is None and auto_renew:
        raise InvalidArgument.for_field("auto_renew", "renewal needs an end_date")
    if end is not None and end < s.start_date:
        raise InvalidArgument.for_field("end_date", "must not be before start_date")
    if end is not None and s.term_periods == 0:
        left = periods_through(s.start_date, s.period, end) - s.periods_billed
        s.term_periods = min(max(left, 1), MAX_TERM_PERIODS)
    s.end_date, s.auto_renew = end, auto_renew


def require_open(status: str, what: str) -> None:
    if status != ACTIVE:
        raise FailedPrecondition(f"the {what} is {status}; it no longer changes")


@dataclass(frozen=True)
class CancelSubscription:
    subscription_id: uuid.UUID
    at: str = AT_PERIOD_END
    reason: str = ""
    expected_version: int = 0


def check_cancel_at(at: str) -> str:
    value = at.strip().lower() or AT_PERIOD_END
    if value not in CANCEL_AT:
        raise InvalidArgument.for_field("at", f"one of {', '.join(CANCEL_AT)}")
    return value
