"""Case rules: values, the status transition table, reopen window, comments,
numbers and group assignment (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from crm_common.errors import FailedPrecondition, InvalidArgument
from support.domain import case_assignment, cases

NOW = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)


def test_numbers_are_padded_per_year() -> None:
    assert cases.format_number(2026, 42) == "CS-2026-000042"


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(InvalidArgument) as caught:
        cases.validate({"subject": "", "priority": "P9", "channel": "fax"}, creating=True)
    assert {v.field for v in caught.value.violations} == {"subject", "priority", "channel"}


def test_assignment_needs_a_group_and_no_owner() -> None:
    with pytest.raises(InvalidArgument) as caught:
        cases.validate(
            {"subject": "x", "priority": "P1", "assignment": "round_robin", "owner_id": "u"},
            creating=True,
        )
    assert {v.field for v in caught.value.violations} == {"group_id", "owner_id"}
    with pytest.raises(InvalidArgument):
        cases.validate({"subject": "x", "priority": "P1", "assignment": "random"}, creating=True)


def test_an_update_judges_only_what_it_changes() -> None:
    cases.validate({"description": "more"}, creating=False)
    with pytest.raises(InvalidArgument):
        cases.validate({"subject": "  "[:0]}, creating=False)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("new", "open"),
        ("new", "resolved"),
        ("open", "waiting_on_customer"),
        ("waiting_on_customer", "open"),
        ("waiting_on_third_party", "waiting_on_customer"),
        ("open", "closed"),
        ("resolved", "closed"),
        ("resolved", "open"),
        ("closed", "open"),
        ("open", "open"),
    ],
)
def test_allowed_transitions(current: str, target: str) -> None:
    cases.check_transition(current, target, done_at=NOW, now=NOW, reopen_days=7)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("open", "new"),
        ("resolved", "waiting_on_customer"),
        ("closed", "resolved"),
        ("closed", "new"),
        ("waiting_on_customer", "new"),
    ],
)
def test_refused_transitions(current: str, target: str) -> None:
    with pytest.raises(FailedPrecondition):
        cases.check_transition(current, target, done_at=NOW, now=NOW, reopen_days=7)


def test_reopen_only_within_the_window() -> None:
    resolved = NOW - timedelta(days=7)
    cases.check_transition("resolved", "open", done_at=resolved, now=NOW, reopen_days=7)
    with pytest.raises(FailedPrecondition, match="more than 7 days"):
        cases.check_transition(
            "closed", "open", done_at=resolved - timedelta(seconds=1), now=NOW, reopen_days=7
        )


def test_a_new_case_cannot_start_done_or_in_the_future() -> None:
    with pytest.raises(InvalidArgument):
        cases.check_initial_status("resolved")
    cases.check_reported_at(NOW - timedelta(days=3), NOW)
    with pytest.raises(InvalidArgument) as caught:
        cases.check_reported_at(NOW + timedelta(hours=1), NOW)
    assert caught.value.violations[0].field == "reported_at"
    with pytest.raises(InvalidArgument, match="ten years ago"):
        cases.check_reported_at(NOW - timedelta(days=4000), NOW)


def test_comment_mentions_are_uuids_without_repeats() -> None:
    user = uuid.uuid4()
    assert cases.validate_comment("hi", [str(user), str(user)]) == [user]
    with pytest.raises(InvalidArgument) as caught:
        cases.validate_comment(" ", ["nope"])
    assert {v.field for v in caught.value.violations} == {"body", "mentioned_user_ids[0]"}


def test_round_robin_goes_in_turn_and_wraps() -> None:
    a, b, c = sorted(uuid.uuid4() for _ in range(3))
    assert case_assignment.next_in_turn([c, a, b], None) == a
    assert case_assignment.next_in_turn([a, b, c], a) == b
    assert case_assignment.next_in_turn([a, b, c], c) == a
    gone = uuid.UUID(int=b.int + 1) if b.int + 1 < c.int else b
    assert case_assignment.next_in_turn([a, c], gone) == c


def test_least_loaded_prefers_fewest_then_smallest_id() -> None:
    a, b, c = sorted(uuid.uuid4() for _ in range(3))
    assert case_assignment.least_loaded([c, b, a], {a: 2, b: 1, c: 1}) == b
    assert case_assignment.least_loaded([a, b], {}) == a
