"""Assignment rule conditions and turn-taking: pure functions."""

from __future__ import annotations

import uuid

import pytest

from sales.domain.assignment import Condition, least_loaded, matches, next_in_turn

LEAD = {
    "source": "Web",
    "company": "Acme Corp",
    "email": "ada@acme.example",
    "score": 60,
    "tags": ["VIP", "emea"],
    "custom_fields": {"country": "NL"},
    "status": "new",
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (Condition("source", "equals", "web"), True),
        (Condition("source", "not_equals", "WEB"), False),
        (Condition("company", "contains", "ACME"), True),
        (Condition("email", "starts_with", "ADA@"), True),
        (Condition("country", "in", ["de", "nl"]), True),
        (Condition("industry", "equals", ""), True),
        (Condition("score", "gt", "60"), False),
        (Condition("score", "gte", "60"), True),
        (Condition("score", "lt", "70.5"), True),
        (Condition("score", "in", ["10", "60"]), True),
        (Condition("tag", "equals", "vip"), True),
        (Condition("tag", "not_equals", "vip"), False),
        (Condition("tag", "contains", "me"), True),
        (Condition("status", "equals", "mql"), False),
    ],
)
def test_condition(condition: Condition, expected: bool) -> None:
    assert matches([condition], LEAD) is expected


def test_all_conditions_must_hold_and_none_matches_everything() -> None:
    assert matches([], LEAD)
    assert not matches([Condition("source", "equals", "web"), Condition("score", "lt", "10")], LEAD)


def test_turns_wrap_and_survive_member_changes() -> None:
    a, b, c = sorted(uuid.uuid4() for _ in range(3))
    assert next_in_turn([c, a, b], None) == a
    assert next_in_turn([a, b, c], a) == b
    assert next_in_turn([a, b, c], c) == a
    assert next_in_turn([a, c], b) == c  # b left the group: c is next, not a again
    assert least_loaded([c, b, a], {a: 2, b: 1, c: 1}) == b
