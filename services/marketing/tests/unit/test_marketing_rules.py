"""Pure rules: scoring with caps and decay, conditions, business-day delays,
link tokens, template rendering."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_common.errors import InvalidArgument
from marketing.domain import rendering, scoring, tokens
from marketing.domain.business_days import add_delay
from marketing.domain.conditions import Condition, matches, validate

NOW = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)  # a Wednesday


def test_engagement_points_decay_by_half_life_and_cap() -> None:
    rule = scoring.EngagementRule("form_submitted", points=20, max_points=30, half_life_days=10)
    fresh = [("form_submitted", NOW)]
    assert scoring.rule_points(rule, fresh, NOW) == 20
    old = [("form_submitted", NOW - timedelta(days=10))]
    assert scoring.rule_points(rule, old, NOW) == pytest.approx(10)
    many = [("form_submitted", NOW)] * 5
    assert scoring.rule_points(rule, many, NOW) == 30  # the cap
    other = [("page_visited", NOW)]
    assert scoring.rule_points(rule, other, NOW) == 0
    future = [("form_submitted", NOW + timedelta(days=1))]
    assert scoring.rule_points(rule, future, NOW) == 0


def test_total_is_clamped_and_crossing_fires_once() -> None:
    fit = [scoring.FitRule(Condition("industry", "eq", "software"), 80)]
    engaged = [scoring.EngagementRule("email_clicked", 50)]
    result = scoring.score(fit, engaged, {"industry": "Software"}, [("email_clicked", NOW)], NOW)
    assert (result.fit, result.engagement, result.total) == (80, 50, 100)
    negative = [scoring.FitRule(Condition("country", "eq", "xx"), -50)]
    assert scoring.score(negative, [], {"country": "XX"}, [], NOW).total == 0
    assert scoring.crossing(False, 60, 50) == scoring.Crossing(True, True)
    assert scoring.crossing(True, 70, 50) == scoring.Crossing(True, False)
    assert scoring.crossing(True, 40, 50) == scoring.Crossing(False, False)  # re-armed


@given(st.integers(min_value=0, max_value=365), st.integers(min_value=1, max_value=365))
def test_decay_never_grows_and_halves_per_half_life(age: int, half_life: int) -> None:
    value = scoring.decayed(40, age, half_life)
    assert 0 < value <= 40
    assert scoring.decayed(40, age + half_life, half_life) == pytest.approx(value / 2)


def test_conditions_match_case_insensitively_and_numbers_as_numbers() -> None:
    p = {"industry": "Software", "employees": 250, "title": "VP Sales", "country": ""}
    assert matches(Condition("industry", "eq", "SOFTWARE"), p)
    assert matches(Condition("title", "contains", "sales"), p)
    assert matches(Condition("title", "starts_with", "vp"), p)
    assert matches(Condition("employees", "gte", "250"), p)
    assert not matches(Condition("employees", "gt", "250"), p)
    assert matches(Condition("industry", "in", "", ("retail", "software")), p)
    assert matches(Condition("country", "is_empty"), p)
    assert matches(Condition("industry", "not_in", "", ("retail",)), p)


def test_bad_conditions_name_the_field() -> None:
    with pytest.raises(InvalidArgument) as bad:
        validate([Condition("industry", "eq", "x"), Condition("employees", "gt", "lots")])
    assert [v.field for v in bad.value.violations] == ["conditions[1].value"]
    with pytest.raises(InvalidArgument) as unknown:
        validate([Condition("shoe_size", "eq", "9")])
    assert unknown.value.violations[0].field == "conditions[0].field"


def test_business_days_skip_weekends_in_the_tenant_time_zone() -> None:
    friday = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    assert add_delay(friday, 1, "business_days") == datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    assert add_delay(friday, 5, "business_days") == datetime(2026, 3, 13, 16, 0, tzinfo=UTC)
    assert add_delay(friday, 1, "calendar_days") == datetime(2026, 3, 7, 16, 0, tzinfo=UTC)
    assert add_delay(friday, 0, "business_days") == friday
    # 23:30 UTC Friday is already Saturday in Tokyo: the next business day there is Monday
    late = datetime(2026, 3, 6, 23, 30, tzinfo=UTC)
    tokyo = add_delay(late, 1, "business_days", "Asia/Tokyo")
    assert tokyo.astimezone(UTC) == datetime(2026, 3, 8, 23, 30, tzinfo=UTC)  # Mon 08:30 JST
    saturday = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
    assert add_delay(saturday, 1, "business_days") == datetime(2026, 3, 9, 10, 0, tzinfo=UTC)


def test_tokens_verify_and_refuse_tampering() -> None:
    tenant, send = uuid.uuid4(), uuid.uuid4()
    token = tokens.sign("s3cret", "u", tenant, send)
    assert tokens.verify("s3cret", token, "u") == tokens.LinkToken("u", tenant, send)
    with pytest.raises(tokens.BadToken):
        tokens.verify("other", token, "u")
    with pytest.raises(tokens.BadToken):
        tokens.verify("s3cret", token, "o")  # another kind
    click = tokens.sign("s3cret", "c", tenant, send, "https://a.example/x")
    assert tokens.verify("s3cret", click, "c", "https://a.example/x").send_id == send
    with pytest.raises(tokens.BadToken):
        tokens.verify("s3cret", click, "c", "https://evil.example/x")
    with pytest.raises(tokens.BadToken):
        tokens.verify("s3cret", "u.x.y.z", "u")


def test_rendering_is_sandboxed_escaped_and_picks_the_language() -> None:
    en = rendering.Variant("en", "Hi {{ first_name }}", "<b>{{ company }}</b>", "{{ company }}")
    de = rendering.Variant("de", "Hallo {{ first_name }}", "<b>{{ company }}</b>", "")
    assert rendering.choose([en, de], "de-AT", "en") is de
    assert rendering.choose([en, de], "fr", "en") is en
    out = rendering.render(en, {"first_name": "Ann", "company": "<script>"})
    assert out.subject == "Hi Ann" and out.html_body == "<b>&lt;script&gt;</b>"
    assert out.text_body == "<script>"
    evil = rendering.Variant("en", "x", "{{ ''.__class__.__mro__[1].__subclasses__() }}", "")
    with pytest.raises(Exception):  # noqa: B017 - the sandbox refuses it
        rendering.render(evil, {})
    with pytest.raises(InvalidArgument) as bad:
        rendering.validate("en", [rendering.Variant("en", "ok", "{% if %}", "")])
    assert bad.value.violations[0].field == "variants[0].html_body"
