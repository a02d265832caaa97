"""SLA policy and calendar rules (pure): first active match wins, empty conditions match
all, validation naming the field, reordering, and the stored calendar form."""

from __future__ import annotations

import uuid
from datetime import date, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_common.errors import InvalidArgument
from support.domain.calendars import CalendarSpec, to_calendar, validate_spec
from support.domain.sla_policies import (
    Conditions,
    PolicyRule,
    check_targets,
    clean_policy,
    first_match,
    reorder,
)


def rule(position: int, *, active: bool = True, **conditions: frozenset) -> PolicyRule:  # type: ignore[type-arg]
    return PolicyRule(uuid.uuid4(), position, active, Conditions(**conditions))


def test_first_active_match_by_position_wins() -> None:
    contract = uuid.uuid4()
    off = rule(1, active=False)
    by_contract = rule(2, service_contract_ids=frozenset({contract}))
    gold_p1 = rule(3, priorities=frozenset({"P1"}), account_tiers=frozenset({"Gold"}))
    anything = rule(4)
    rules = [anything, gold_p1, off, by_contract]  # any order in, position decides

    def match(priority: str, tier: str, contract_id: uuid.UUID | None = None) -> PolicyRule | None:
        return first_match(
            rules, priority=priority, account_tier=tier, service_contract_id=contract_id
        )

    assert match("P1", "gold", contract) is by_contract
    assert match("P1", " GOLD ") is gold_p1
    assert match("P2", "gold") is anything
    assert match("P1", "silver") is anything
    assert first_match([off], priority="P1", account_tier="", service_contract_id=None) is None


def test_validation_names_the_field() -> None:
    bad = {
        "conditions.priorities[1]": {"priorities": ["P1", "P5"]},
        "conditions.account_tiers[0]": {"account_tiers": [" "]},
        "conditions.service_contract_ids[0]": {"service_contract_ids": ["x"]},
        "warning_percent": {"warning_percent": 0},
        "first_response_minutes": {"first_response_minutes": 0},
        "resolution_minutes": {"resolution_minutes": True},
        "pause_statuses[0]": {"pause_statuses": ["closed"]},
        "escalations[0].level": {"escalations": [{"level": 0, "after_minutes": 0}]},
        "escalations[0].after_minutes": {"escalations": [{"level": 1, "after_minutes": -1}]},
        "escalations[1].after_minutes": {
            "escalations": [{"level": 1, "after_minutes": 10}, {"level": 2, "after_minutes": 5}]
        },
        "position": {"position": 0},
        "name": {"name": ""},
        "colour": {"colour": "red"},
    }
    for field, values in bad.items():
        with pytest.raises(InvalidArgument) as err:
            clean_policy(values)
        assert err.value.violations[0].field == field, field
    with pytest.raises(InvalidArgument) as err:
        check_targets({"first_response_minutes": None})
    assert err.value.violations[0].field == "resolution_minutes"


def test_clean_policy_normalises() -> None:
    contract = uuid.uuid4()
    clean = clean_policy(
        {
            "priorities": ["P2", "P1", "P2"],
            "account_tiers": ["Gold", "gold", " Silver "],
            "service_contract_ids": [str(contract).upper(), str(contract)],
            "pause_statuses": ["waiting_on_third_party", "waiting_on_third_party"],
            "escalations": [
                {"level": 2, "after_minutes": 60, "group_id": str(contract)},
                {"level": 1, "after_minutes": 0, "notify_manager": True},
            ],
        }
    )
    assert clean["priorities"] == ["P1", "P2"]
    assert clean["account_tiers"] == ["Gold", "Silver"]
    assert clean["service_contract_ids"] == [str(contract)]
    assert clean["pause_statuses"] == ["waiting_on_third_party"]
    assert [e["level"] for e in clean["escalations"]] == [1, 2]
    assert clean["escalations"][0] == {
        "level": 1, "after_minutes": 0, "group_id": None, "notify_manager": True,
    }  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 8), data=st.data())
def test_reorder_moves_one_and_keeps_the_others(n: int, data: st.DataObject) -> None:
    ids = [uuid.uuid4() for _ in range(n)]
    moving = data.draw(st.sampled_from(ids))
    position = data.draw(st.integers(1, n + 3))
    out = reorder(ids, moving, position)
    assert sorted(out) == sorted(ids)
    assert out.index(moving) == min(position, n) - 1
    assert [i for i in out if i != moving] == [i for i in ids if i != moving]


def spec(**values: object) -> CalendarSpec:
    base: dict[str, object] = {
        "timezone": "Asia/Tehran",
        "weekly": {"sat": [["08:00", "12:00"], ["13:00", "16:00"]]},
        "holidays": [],
        "always_open": False,
    }
    return CalendarSpec(**{**base, **values})  # type: ignore[arg-type]


def test_calendar_spec_validation_and_conversion() -> None:
    clean = validate_spec(
        spec(
            weekly={"mon": [["22:00", "24:00"], ["00:00", "01:30"]], "sun": []},
            holidays=["2026-03-21", "2026-03-20"],
        )
    )
    assert clean.weekly == {"mon": [["00:00", "01:30"], ["22:00", "24:00"]]}
    assert clean.holidays == ["2026-03-20", "2026-03-21"]
    cal = to_calendar(clean)
    assert cal.weekly == {0: ((time(0), time(1, 30)), (time(22), time(0)))}
    assert cal.holidays == frozenset({date(2026, 3, 20), date(2026, 3, 21)})
    bad = {
        "timezone": spec(timezone="Europe/Atlantis"),
        "weekly.sat[1]": spec(weekly={"sat": [["08:00", "12:00"], ["08:30", "09:00"]]}),
        "weekly.sat[0]": spec(weekly={"sat": [["12:00", "12:00"]]}),
        "weekly.xyz": spec(weekly={"xyz": []}),
        "weekly.mon[0]": spec(weekly={"mon": [["24:00", "24:00"]]}),
        "holidays[0]": spec(holidays=["2026-02-30"]),
        "holidays": spec(
            holidays=[(date(2026, 1, 1) + timedelta(days=k)).isoformat() for k in range(181)]
        ),
        "weekly": spec(weekly={}),
    }
    for field, value in bad.items():
        with pytest.raises(InvalidArgument) as err:
            validate_spec(value)
        assert err.value.violations[0].field == field, field
    assert validate_spec(spec(weekly={}, always_open=True)).always_open
