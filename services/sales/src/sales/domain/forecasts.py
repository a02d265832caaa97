"""Forecast rules: periods, categories, totals and the roll-up up the role
hierarchy. Pure functions over plain values (the rules are in forecasts.proto).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from crm_common.errors import InvalidArgument
from crm_common.money import round_half_up

FORECASTS = "forecasts"  # the access-control module
COMMIT_FROM, BEST_CASE_FROM = 80, 50  # probability thresholds of the categories
_PERIOD = re.compile(r"(?P<year>\d{4})(?:-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?")
HUNDRED, CENT = Decimal(100), Decimal("0.01")


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive


def parse_period(text: str) -> Period:
    """ "2026-Q4", "2026-11" or "2026"."""
    found = _PERIOD.fullmatch(text.strip())
    if not found or not 2000 <= int(found["year"]) <= 2200:
        raise InvalidArgument.for_field("period", "use YYYY-Qn, YYYY-MM or YYYY")
    year = int(found["year"])
    if found["quarter"]:
        first_month, months = 3 * int(found["quarter"]) - 2, 3
    elif found["month"]:
        first_month, months = int(found["month"]), 1
    else:
        first_month, months = 1, 12
    start = date(year, first_month, 1)
    following = first_month + months
    after = date(year + (following - 1) // 12, (following - 1) % 12 + 1, 1)
    return Period(text.strip(), start, after - timedelta(days=1))


def category(probability: int) -> str:
    if probability >= COMMIT_FROM:
        return "commit"
    if probability >= BEST_CASE_FROM:
        return "best_case"
    return "pipeline" if probability > 0 else "omitted"


@dataclass(frozen=True)
class DealSum:
    """Deals of one owner in one currency, status and category, summed by the database."""

    owner_id: str
    currency: str
    status: str  # open | won
    category: str
    amount: Decimal
    weighted: Decimal  # sum of amount x probability / 100
    count: int


@dataclass
class Totals:
    currency: str
    pipeline: Decimal = Decimal(0)
    weighted_pipeline: Decimal = Decimal(0)
    best_case: Decimal = Decimal(0)
    commit: Decimal = Decimal(0)
    closed_won: Decimal = Decimal(0)
    quota: Decimal | None = None
    open_deals: int = 0
    won_deals: int = 0

    def add(self, part: DealSum) -> None:
        if part.status == "won":
            self.closed_won += part.amount
            self.won_deals += part.count
            return
        self.open_deals += part.count
        if part.category == "omitted":
            return
        self.pipeline += part.amount
        self.weighted_pipeline += part.weighted
        if part.category in ("commit", "best_case"):
            self.best_case += part.amount
        if part.category == "commit":
            self.commit += part.amount

    def merge(self, other: Totals) -> None:
        for name in ("pipeline", "weighted_pipeline", "best_case", "commit", "closed_won"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.open_deals += other.open_deals
        self.won_deals += other.won_deals
        if other.quota is not None:
            self.quota = (self.quota or Decimal(0)) + other.quota

    def figures(self) -> dict[str, Decimal | None]:
        """Cumulative categories, rounded once: commit and best case include closed won."""
        commit = self.closed_won + self.commit
        return {
            "pipeline": self._round(self.pipeline),
            "weighted_pipeline": self._round(self.weighted_pipeline),
            "best_case": self._round(self.closed_won + self.best_case),
            "commit": self._round(commit),
            "closed_won": self._round(self.closed_won),
            "quota": None if self.quota is None else self._round(self.quota),
            "attainment_percent": self._attainment(),
        }

    def _attainment(self) -> Decimal | None:
        if not self.quota:
            return None
        return (self.closed_won * HUNDRED / self.quota).quantize(CENT, ROUND_HALF_UP)

    def _round(self, amount: Decimal) -> Decimal:
        return round_half_up(amount, self.currency)


@dataclass
class Ledger:
    """Totals per currency of one owner or one role."""

    by_currency: dict[str, Totals] = field(default_factory=dict)

    def totals(self, currency: str) -> Totals:
        return self.by_currency.setdefault(currency, Totals(currency))

    def merge(self, other: Ledger) -> None:
        for currency, totals in other.by_currency.items():
            self.totals(currency).merge(totals)

    def sorted(self) -> list[Totals]:
        return [self.by_currency[c] for c in sorted(self.by_currency)]


def owner_ledgers(
    sums: Iterable[DealSum], quotas: Mapping[str, tuple[Decimal, str]], owners: Iterable[str]
) -> dict[str, Ledger]:
    """One ledger per owner (also those without deals), quotas included."""
    ledgers = {owner: Ledger() for owner in owners}
    for part in sums:
        ledgers[part.owner_id].totals(part.currency).add(part)
    for owner, (amount, currency) in quotas.items():
        if owner in ledgers:
            ledgers[owner].totals(currency).quota = amount
    return ledgers


@dataclass(frozen=True)
class RoleNode:
    id: str
    name: str
    parent_id: str


@dataclass(frozen=True)
class OrgUser:
    id: str
    display_name: str
    role_id: str


@dataclass(frozen=True)
class OrgChart:
    roles: list[RoleNode]
    users: list[OrgUser]  # active users


def subtree(roles: Iterable[RoleNode], root_id: str) -> list[tuple[RoleNode, int]]:
    """``root_id`` and every role below it with its depth, parents before children."""
    children: dict[str, list[RoleNode]] = defaultdict(list)
    by_id = {}
    for role in roles:
        children[role.parent_id].append(role)
        by_id[role.id] = role
    if root_id not in by_id:
        return []
    ordered, frontier = [], [(by_id[root_id], 0)]
    while frontier:  # breadth-first; the tree has no cycles (identity keeps it so)
        node, depth = frontier.pop(0)
        ordered.append((node, depth))
        kids = sorted(children.get(node.id, []), key=lambda r: r.name)
        frontier.extend((kid, depth + 1) for kid in kids)
    return ordered


def role_rollups(
    ordered: list[tuple[RoleNode, int]],
    members: Mapping[str, list[str]],
    ledgers: Mapping[str, Ledger],
) -> dict[str, Ledger]:
    """Each role's ledger: its members' and, recursively, its sub-roles'."""
    rollups = {node.id: Ledger() for node, _ in ordered}
    for node, _ in reversed(ordered):  # children first
        for owner in members.get(node.id, []):
            rollups[node.id].merge(ledgers[owner])
        if node.parent_id in rollups:
            rollups[node.parent_id].merge(rollups[node.id])
    return rollups
