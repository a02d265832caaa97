"""Lead assignment rules: their validation and matching, pure functions.

A rule is ``{name, position, active, conditions, target}``; rules are tried by
position and the first active one whose conditions all hold (and whose target
can take the lead) decides the owner.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crm_common.errors import FieldViolation, InvalidArgument

FIELDS = ("source", "industry", "country", "title", "company", "email", "status", "score", "tag")
OPS = ("equals", "not_equals", "contains", "starts_with", "in", "gt", "gte", "lt", "lte")
ORDER_OPS = ("gt", "gte", "lt", "lte")
TARGETS = ("user", "round_robin", "least_loaded")
MAX_CONDITIONS, MAX_VALUES, MAX_VALUE_LENGTH = 20, 100, 200
RULE_FIELDS = frozenset({"name", "position", "active", "conditions", "target"})


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: str | list[str]


@dataclass(frozen=True)
class Target:
    type: str
    user_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None


@dataclass(frozen=True)
class RuleSpec:
    name: str
    target: Target
    position: int = 0
    active: bool = True
    conditions: list[Condition] = field(default_factory=list)


def validate_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 200:
        raise InvalidArgument.for_field("name", "has 1 to 200 characters")
    return name


def validate_position(position: int) -> int:
    if position < 0:
        raise InvalidArgument.for_field("position", "must be 0 or more")
    return position


def validate_target(target: Target) -> Target:
    if target.type not in TARGETS:
        raise InvalidArgument.for_field("target.type", f"must be one of {', '.join(TARGETS)}")
    if target.type == "user" and target.user_id is None:
        raise InvalidArgument.for_field("target.user_id", "a user target names its user")
    if target.type != "user" and target.group_id is None:
        raise InvalidArgument.for_field("target.group_id", f"{target.type} needs a group")
    return target


def validate_conditions(conditions: Sequence[Condition]) -> list[Condition]:
    if len(conditions) > MAX_CONDITIONS:
        raise InvalidArgument.for_field("conditions", f"at most {MAX_CONDITIONS} conditions")
    found = [
        FieldViolation(f"conditions[{i}]", problem)
        for i, c in enumerate(conditions)
        if (problem := _condition_problem(c))
    ]
    if found:
        raise InvalidArgument(f"the rule is invalid ({found[0].field}: {found[0].message})", found)
    return list(conditions)


def _condition_problem(condition: Condition) -> str:
    """The first thing wrong with ``condition``, or ""."""
    values = condition.value if isinstance(condition.value, list) else [condition.value]
    problems = (
        (condition.field not in FIELDS, f"field must be one of {', '.join(FIELDS)}"),
        (condition.op not in OPS, f"op must be one of {', '.join(OPS)}"),
        (
            condition.op in ORDER_OPS and condition.field != "score",
            f"{condition.op} compares scores only",
        ),
        (
            (condition.op == "in") != isinstance(condition.value, list),
            "'in' takes a list of values; other ops take one value",
        ),
        (
            not values
            or len(values) > MAX_VALUES
            or any(len(v) > MAX_VALUE_LENGTH for v in values),
            f"1 to {MAX_VALUES} values of at most {MAX_VALUE_LENGTH} characters",
        ),
        (
            condition.field == "score" and any(_number(v) is None for v in values),
            "score values are numbers",
        ),
    )
    return next((message for failed, message in problems if failed), "")


def matches(conditions: Sequence[Condition], lead: Mapping[str, Any]) -> bool:
    """Every condition holds for the new lead (``lead``: its cleaned values)."""
    return all(_holds(c, lead) for c in conditions)


def _holds(condition: Condition, lead: Mapping[str, Any]) -> bool:
    if condition.field == "score":
        return _compare_number(condition, lead.get("score") or 0)
    if condition.field == "tag":
        tags = [str(t).casefold() for t in lead.get("tags") or []]
        if condition.op == "not_equals":
            return all(_text_holds("equals", t, condition.value) is False for t in tags)
        return any(_text_holds(condition.op, t, condition.value) for t in tags)
    return _text_holds(condition.op, _text_of(condition.field, lead), condition.value)


def _text_of(name: str, lead: Mapping[str, Any]) -> str:
    """Leads have no country column: a ``country`` custom field stands in."""
    if name == "country":
        return str((lead.get("custom_fields") or {}).get("country") or "").casefold()
    return str(lead.get(name) or "").casefold()


def _text_holds(op: str, text: str, value: str | list[str]) -> bool:
    if isinstance(value, list):
        return text in {v.casefold() for v in value}
    wanted = value.casefold()
    checks = {
        "equals": text == wanted,
        "not_equals": text != wanted,
        "contains": wanted in text,
        "starts_with": text.startswith(wanted),
    }
    return checks.get(op, False)


def _compare_number(condition: Condition, score: int) -> bool:
    values = condition.value if isinstance(condition.value, list) else [condition.value]
    numbers = [n for n in (_number(v) for v in values) if n is not None]
    if condition.op == "in":
        return score in numbers
    wanted = numbers[0] if numbers else None
    if wanted is None:
        return False
    checks = {
        "equals": score == wanted,
        "not_equals": score != wanted,
        "gt": score > wanted,
        "gte": score >= wanted,
        "lt": score < wanted,
        "lte": score <= wanted,
    }
    return checks.get(condition.op, False)


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def next_in_turn(users: Sequence[uuid.UUID], last: uuid.UUID | None) -> uuid.UUID:
    """Round robin over sorted user ids: the first after ``last`` (wrapping), so a
    change of members neither repeats nor skips anyone unfairly."""
    ordered = sorted(users)
    return next((u for u in ordered if last is not None and u > last), ordered[0])


def least_loaded(users: Sequence[uuid.UUID], open_leads: Mapping[uuid.UUID, int]) -> uuid.UUID:
    """Fewest open leads; ties go to the smallest id."""
    return min(sorted(users), key=lambda u: open_leads.get(u, 0))
