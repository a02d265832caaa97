"""Lead scoring, pure: a fit score from attribute rules and an engagement score
from event rules (points per engagement, a cap per rule, exponential decay with
a half-life), a total clamped to 0..100, and the MQL crossing.

- fit = sum of the points of every active fit rule that matches, clamped 0..100
- each engagement rule: sum over the prospect's engagements of its type of
  ``points * 0.5 ** (age_days / half_life_days)`` (no decay when half_life is 0),
  then capped at ``max_points`` (when > 0); engagement = sum over rules, 0..100
- total = clamp(round(fit + engagement), 0, 100)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from marketing.domain.conditions import Condition, matches

SECONDS_PER_DAY = 86400.0


@dataclass(frozen=True)
class FitRule:
    condition: Condition
    points: int


@dataclass(frozen=True)
class EngagementRule:
    engagement_type: str
    points: int
    max_points: int = 0  # 0 = no cap
    half_life_days: int = 0  # 0 = no decay


@dataclass(frozen=True)
class Score:
    fit: int
    engagement: int
    total: int


def clamp(value: float, low: int = 0, high: int = 100) -> int:
    return max(low, min(high, round(value)))


def fit_score(rules: Sequence[FitRule], prospect: Mapping[str, Any]) -> int:
    return clamp(sum(rule.points for rule in rules if matches(rule.condition, prospect)))


def decayed(points: int, age_days: float, half_life_days: int) -> float:
    if half_life_days <= 0:
        return float(points)
    return points * 0.5 ** (max(0.0, age_days) / half_life_days)


def rule_points(
    rule: EngagementRule, engagements: Sequence[tuple[str, datetime]], now: datetime
) -> float:
    total = sum(
        decayed(rule.points, (now - at).total_seconds() / SECONDS_PER_DAY, rule.half_life_days)
        for kind, at in engagements
        if kind == rule.engagement_type and at <= now
    )
    if rule.max_points > 0:
        total = min(total, float(rule.max_points))
    return total


def engagement_score(
    rules: Sequence[EngagementRule], engagements: Sequence[tuple[str, datetime]], now: datetime
) -> int:
    return clamp(sum(rule_points(rule, engagements, now) for rule in rules))


def score(
    fit_rules: Sequence[FitRule],
    engagement_rules: Sequence[EngagementRule],
    prospect: Mapping[str, Any],
    engagements: Sequence[tuple[str, datetime]],
    now: datetime,
) -> Score:
    fit = fit_score(fit_rules, prospect)
    engaged = engagement_score(engagement_rules, engagements, now)
    return Score(fit, engaged, clamp(fit + engaged))


@dataclass(frozen=True)
class Crossing:
    qualified: bool  # above the threshold after this score
    newly: bool  # crossed upwards now: publish lead.qualified


def crossing(was_qualified: bool, total: int, threshold: int) -> Crossing:
    """Once per crossing: falling below re-arms it."""
    above = total >= threshold
    return Crossing(above, above and not was_qualified)
