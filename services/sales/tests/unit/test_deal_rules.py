"""Pure rules of pipelines and deals: stage lists, stage outcomes, splits,
contact roles and the weighted-sum rounding."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from crm_common.errors import InvalidArgument
from sales.domain import deal_parts, deals
from sales.domain.deal_parts import ContactRoleSpec, SplitSpec
from sales.domain.deals import StageSpec


def _fields(exc: pytest.ExceptionInfo[InvalidArgument]) -> list[str]:
    return [v.field for v in exc.value.violations]


@pytest.mark.parametrize(
    "stages",
    [
        [StageSpec("A", 10), StageSpec("B", 100, "won")],  # too few, no lost
        [StageSpec("A", 10), StageSpec("B", 20), StageSpec("C", 100, "won")],  # no lost
        [StageSpec("A", 10), StageSpec("a", 100, "won"), StageSpec("C", 0, "lost")],  # same name
        [StageSpec("A", 101), StageSpec("B", 100, "won"), StageSpec("C", 0, "lost")],
        [StageSpec("A", 1, "maybe"), StageSpec("B", 100, "won"), StageSpec("C", 0, "lost")],
    ],
)
def test_bad_stage_lists_name_stages(stages: list[StageSpec]) -> None:
    with pytest.raises(InvalidArgument) as caught:
        deals.validate_pipeline("P", stages)
    assert _fields(caught) == ["stages"]


def test_closed_stages_get_their_fixed_probability() -> None:
    fixed = deals.normalized_stages([StageSpec(" Won ", 7, "won"), StageSpec("Lost", 9, "lost")])
    assert [(s.name, s.probability) for s in fixed] == [("Won", 100), ("Lost", 0)]


def test_stage_outcomes() -> None:
    assert deals.stage_outcome("open", 40, None) == deals.StageOutcome("open", 40, False)
    assert deals.stage_outcome("open", 40, 55) == deals.StageOutcome("open", 55, False)
    assert deals.stage_outcome("won", 100, None) == deals.StageOutcome("won", 100, True)
    assert deals.stage_outcome("lost", 0, 0) == deals.StageOutcome("lost", 0, True)
    with pytest.raises(InvalidArgument):
        deals.stage_outcome("won", 100, 90)


def test_money_rules_per_currency() -> None:
    deals.validate_deal(
        {"amount": Decimal("5")}, {"name": "D", "amount": Decimal(5), "currency": "JPY"}
    )
    for amount, currency, field in (
        (Decimal("5.5"), "JPY", "amount"),
        (Decimal("1.001"), "EUR", "amount"),
        (Decimal("-1"), "EUR", "amount"),
        (Decimal("1"), "", "currency"),
    ):
        with pytest.raises(InvalidArgument) as caught:
            deals.validate_deal(
                {"amount": amount}, {"name": "D", "amount": amount, "currency": currency}
            )
        assert _fields(caught) == [field]


def test_weighted_sum_is_rounded_half_up_once() -> None:
    # Three 0.10 EUR deals at 15 %: 0.045 -> 0.05 (per deal it would be 3 x 0.02).
    assert deals.weighted(Decimal("0.10") * 15 * 3, "EUR") == Decimal("0.05")
    assert deals.weighted(Decimal(1001) * 15, "JPY") == Decimal(150)
    assert deals.weighted(Decimal("0.125") * 100, "KWD") == Decimal("0.125")


def test_splits_and_contact_roles() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    deal_parts.validate_splits([])
    deal_parts.validate_splits([SplitSpec(a, Decimal("66.67")), SplitSpec(b, Decimal("33.33"))])
    with pytest.raises(InvalidArgument) as caught:
        deal_parts.validate_splits([SplitSpec(a, Decimal("50")), SplitSpec(b, Decimal("49.99"))])
    assert _fields(caught) == ["splits"]
    with pytest.raises(InvalidArgument) as caught:
        deal_parts.validate_splits([SplitSpec(a, Decimal("100.001"))])
    assert _fields(caught) == ["splits[0].percent"]
    deal_parts.validate_contact_roles(
        [ContactRoleSpec(a, "champion", True), ContactRoleSpec(b, "other")]
    )
    with pytest.raises(InvalidArgument) as caught:
        deal_parts.validate_contact_roles(
            [ContactRoleSpec(a, "other"), ContactRoleSpec(a, "champion")]
        )
    assert _fields(caught) == ["contact_roles"]
