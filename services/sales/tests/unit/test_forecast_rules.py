"""Forecast rules: periods, categories, cumulative totals, roll-up by role."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from crm_common.errors import InvalidArgument
from sales.domain.forecasts import (
    DealSum,
    RoleNode,
    category,
    owner_ledgers,
    parse_period,
    role_rollups,
    subtree,
)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
        ("2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("2028-02", date(2028, 2, 1), date(2028, 2, 29)),
        ("2026-12", date(2026, 12, 1), date(2026, 12, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_periods(text: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert (period.start, period.end, period.label) == (start, end, text)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "26-Q1", "", "2026-Q4; drop", "1999"])
def test_bad_periods_name_the_field(text: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_period(text)
    assert caught.value.violations[0].field == "period"


def test_categories() -> None:
    assert [category(p) for p in (100, 80, 79, 50, 49, 1, 0)] == [
        "commit",
        "commit",
        "best_case",
        "best_case",
        "pipeline",
        "pipeline",
        "omitted",
    ]


def _sum(owner: str, status: str, cat: str, amount: str, weighted: str, currency: str = "EUR"):
    return DealSum(owner, currency, status, cat, Decimal(amount), Decimal(weighted), 1)


def test_cumulative_totals_round_once_and_never_mix_currencies() -> None:
    sums = [
        _sum("ann", "won", "commit", "1000.005", "0"),
        _sum("ann", "open", "commit", "500.00", "400.00"),
        _sum("ann", "open", "best_case", "300.00", "180.00"),
        _sum("ann", "open", "pipeline", "200.00", "20.00"),
        _sum("ann", "open", "omitted", "999.00", "0"),
        _sum("ann", "open", "pipeline", "150", "15.5", currency="JPY"),
    ]
    ledgers = owner_ledgers(sums, {"ann": (Decimal("4000"), "EUR")}, ["ann", "bob"])
    eur, jpy = ledgers["ann"].sorted()[0], ledgers["ann"].sorted()[1]
    assert eur.figures() == {
        "pipeline": Decimal("1000.00"),
        "weighted_pipeline": Decimal("600.00"),
        "best_case": Decimal("1800.01"),
        "commit": Decimal("1500.01"),
        "closed_won": Decimal("1000.01"),
        "quota": Decimal("4000.00"),
        "attainment_percent": Decimal("25.00"),
    }
    assert (eur.open_deals, eur.won_deals) == (4, 1)
    assert jpy.figures()["weighted_pipeline"] == Decimal("16")
    assert jpy.figures()["quota"] is None and jpy.figures()["attainment_percent"] is None
    assert ledgers["bob"].sorted() == []


def test_roll_up_follows_the_role_tree_below_the_owner() -> None:
    roles = [
        RoleNode("ceo", "CEO", ""),
        RoleNode("vp", "VP Sales", "ceo"),
        RoleNode("east", "East", "vp"),
        RoleNode("west", "West", "vp"),
        RoleNode("ops", "Ops", "ceo"),
    ]
    ordered = subtree(roles, "vp")
    assert [(node.id, depth) for node, depth in ordered] == [("vp", 0), ("east", 1), ("west", 1)]
    sums = [
        _sum("vera", "won", "commit", "10", "0"),
        _sum("erin", "won", "commit", "100", "0"),
        _sum("walt", "open", "pipeline", "1000", "100"),
        _sum("wes", "won", "commit", "1", "0"),
    ]
    quotas = {"erin": (Decimal("200"), "EUR"), "walt": (Decimal("300"), "EUR")}
    ledgers = owner_ledgers(sums, quotas, ["vera", "erin", "walt", "wes"])
    members = {"vp": ["vera"], "east": ["erin"], "west": ["walt", "wes"]}
    rollups = role_rollups(ordered, members, ledgers)

    def figures(role: str) -> dict[str, Decimal | None]:
        return rollups[role].sorted()[0].figures()

    assert figures("east")["closed_won"] == Decimal("100.00")
    assert figures("west")["closed_won"] == Decimal("1.00")
    assert figures("west")["pipeline"] == Decimal("1000.00")
    assert figures("vp")["closed_won"] == Decimal("111.00")
    assert figures("vp")["quota"] == Decimal("500.00")
    assert figures("vp")["attainment_percent"] == Decimal("22.20")
    assert subtree(roles, "missing") == []
