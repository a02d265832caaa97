"""Pure rules of leads: the status machine, validation, duplicate matching."""

from __future__ import annotations

import pytest

from crm_common.errors import FailedPrecondition, InvalidArgument
from sales.domain import model, rules


@pytest.mark.parametrize(
    ("current", "target"),
    [("new", "contacted"), ("contacted", "mql"), ("mql", "sql"), ("new", "sql"), ("sql", "lost")],
)
def test_forward_moves_and_lost_are_allowed(current: str, target: str) -> None:
    model.check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [("contacted", "new"), ("sql", "mql"), ("mql", "mql"), ("lost", "new"), ("converted", "lost")],
)
def test_backward_moves_and_closed_leads_are_refused(current: str, target: str) -> None:
    with pytest.raises(FailedPrecondition):
        model.check_transition(current, target)


def test_converted_only_through_conversion() -> None:
    with pytest.raises(FailedPrecondition, match="conversion"):
        model.check_transition("sql", "converted")


def test_unknown_status_names_the_field() -> None:
    with pytest.raises(InvalidArgument) as caught:
        model.check_transition("new", "won")
    assert [v.field for v in caught.value.violations] == ["status"]


def test_a_new_lead_starts_open() -> None:
    assert model.check_initial_status("") == "new"
    assert model.check_initial_status("mql") == "mql"
    with pytest.raises(InvalidArgument):
        model.check_initial_status("lost")


def test_validation_reports_every_field_at_once() -> None:
    with pytest.raises(InvalidArgument) as caught:
        rules.validate_new(
            {"email": "nope", "score": 101, "tags": [""], "custom_fields": [], "title": "x" * 201}
        )
    fields = {v.field for v in caught.value.violations}
    assert fields == {"email", "score", "tags", "custom_fields", "title", "last_name"}


def test_clean_trims_and_lowercases() -> None:
    cleaned = rules.clean(
        {"email": " Ada@Example.COM ", "tags": ["a", " a", "b"], "company": " X "}
    )
    assert cleaned == {"email": "ada@example.com", "tags": ["a", "b"], "company": "X"}


def test_duplicates_by_email_case_insensitive_or_company_spacing() -> None:
    existing = [("ada@example.com", "Other"), ("x@y.example", "ACME   Corp")]
    assert rules.duplicate_fields("ADA@example.com", "", existing) == ["email"]
    assert rules.duplicate_fields("", "acme corp", existing) == ["company"]
    assert rules.duplicate_fields("ada@example.com", "Acme Corp", existing) == ["email", "company"]
    assert rules.duplicate_fields("", "", existing) == []
    assert rules.duplicate_fields("new@example.com", "New", existing) == []
