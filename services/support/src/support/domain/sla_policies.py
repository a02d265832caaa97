"""SLA policies: what a matched policy carries, and the first-match rule (pure)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from crm_common.errors import InvalidArgument
from support.domain.business_time import Calendar

__all__ = [
    "PAUSABLE_STATUSES",
    "PRIORITIES",
    "Conditions",
    "Escalation",
    "MatchedPolicy",
    "check_targets",
    "clean_escalations",
    "clean_policy",
    "first_match",
    "reorder",
]

PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")
PAUSABLE_STATUSES: frozenset[str] = frozenset({"waiting_on_customer", "waiting_on_third_party"})
DEFAULT_WARNING_PERCENT = 80


@dataclass(frozen=True)
class Escalation:
    """``after_minutes``: business minutes after the resolution target."""

    level: int
    after_minutes: int
    group_id: uuid.UUID | None
    notify_manager: bool


@dataclass(frozen=True)
class MatchedPolicy:
    id: uuid.UUID
    name: str
    calendar: Calendar
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    warning_percent: int
    pause_statuses: frozenset[str]
    escalations: tuple[Escalation, ...]


@dataclass(frozen=True)
class Conditions:
    """A condition list left empty matches everything."""

    priorities: frozenset[str] = frozenset()
    account_tiers: frozenset[str] = frozenset()
    service_contract_ids: frozenset[uuid.UUID] = frozenset()

    def matches(
        self, *, priority: str, account_tier: str, service_contract_id: uuid.UUID | None
    ) -> bool:
        if self.priorities and priority not in self.priorities:
            return False
        if self.account_tiers and account_tier.strip().lower() not in {
            t.strip().lower() for t in self.account_tiers
        }:
            return False
        return not self.service_contract_ids or service_contract_id in self.service_contract_ids


@dataclass(frozen=True)
class PolicyRule:
    """One policy as the matcher sees it."""

    id: uuid.UUID
    position: int
    active: bool
    conditions: Conditions


def first_match(
    rules: Iterable[PolicyRule],
    *,
    priority: str,
    account_tier: str,
    service_contract_id: uuid.UUID | None,
) -> PolicyRule | None:
    """Ordered by position (ties by id for a stable order); first active match wins."""
    ordered: Sequence[PolicyRule] = sorted(rules, key=lambda r: (r.position, str(r.id)))
    for rule in ordered:
        if rule.active and rule.conditions.matches(
            priority=priority, account_tier=account_tier, service_contract_id=service_contract_id
        ):
            return rule
    return None


# -- validation of a policy as the API gives it --------------------------------

MAX_TARGET_MINUTES = 525_600  # a year of minutes
MAX_ESCALATIONS = 10
MAX_CONDITION_VALUES = 100
TARGETS = ("first_response_minutes", "next_response_minutes", "resolution_minutes")


def _bad(field: str, message: str) -> InvalidArgument:
    return InvalidArgument.for_field(field, message)


def _name(value: Any) -> str:
    text = str(value).strip()
    if not text or len(text) > 200:
        raise _bad("name", "1 to 200 characters")
    return text


def _position(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100_000:
        raise _bad("position", "a position from 1")
    return value


def _priorities(value: Any) -> list[str]:
    items = list(value)
    for i, p in enumerate(items):
        if p not in PRIORITIES:
            raise _bad(f"conditions.priorities[{i}]", f"one of {', '.join(PRIORITIES)}")
    return sorted(set(items))


def _tiers(value: Any) -> list[str]:
    items = list(value)
    if len(items) > MAX_CONDITION_VALUES:
        raise _bad("conditions.account_tiers", f"at most {MAX_CONDITION_VALUES} tiers")
    tiers: dict[str, str] = {}
    for i, t in enumerate(items):
        text = str(t).strip()
        if not text or len(text) > 100:
            raise _bad(f"conditions.account_tiers[{i}]", "1 to 100 characters")
        tiers.setdefault(text.lower(), text)
    return list(tiers.values())


def _contracts(value: Any) -> list[str]:
    items = list(value)
    if len(items) > MAX_CONDITION_VALUES:
        raise _bad("conditions.service_contract_ids", f"at most {MAX_CONDITION_VALUES} contracts")
    ids: dict[str, None] = {}
    for i, raw in enumerate(items):
        try:
            ids[str(uuid.UUID(str(raw)))] = None
        except ValueError as exc:
            raise _bad(f"conditions.service_contract_ids[{i}]", "must be a UUID") from exc
    return list(ids)


def _calendar_id(value: Any) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise _bad("business_hours_id", "must be a UUID") from exc


def _target(field: str) -> Callable[[Any], int | None]:
    def clean(value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(field, "whole business minutes")
        if not 1 <= value <= MAX_TARGET_MINUTES:
            raise _bad(field, f"whole business minutes from 1 to {MAX_TARGET_MINUTES}")
        return value

    return clean


def _warning(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
        raise _bad("warning_percent", "a percent from 1 to 99")
    return value


def _pause_statuses(value: Any) -> list[str]:
    statuses = list(value)
    for i, s in enumerate(statuses):
        if s not in PAUSABLE_STATUSES:
            raise _bad(f"pause_statuses[{i}]", f"one of {', '.join(sorted(PAUSABLE_STATUSES))}")
    return sorted(set(statuses))


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "name": _name,
    "position": _position,
    "active": bool,
    "priorities": _priorities,
    "account_tiers": _tiers,
    "service_contract_ids": _contracts,
    "business_hours_id": _calendar_id,
    "first_response_minutes": _target("first_response_minutes"),
    "next_response_minutes": _target("next_response_minutes"),
    "resolution_minutes": _target("resolution_minutes"),
    "warning_percent": _warning,
    "pause_statuses": _pause_statuses,
    "escalations": lambda value: clean_escalations(list(value)),
}


def clean_policy(values: dict[str, Any]) -> dict[str, Any]:
    """The given policy fields validated and normalised (only those present).

    Conditions arrive flat (``priorities``, ``account_tiers``, ``service_contract_ids``)
    and are reported as ``conditions.<name>``.
    """
    out: dict[str, Any] = {}
    for name, value in values.items():
        cleaner = _CLEANERS.get(name)
        if cleaner is None:
            raise _bad(name, "is not a field of an SLA policy")
        out[name] = cleaner(value)
    return out


def clean_escalations(items: list[Any]) -> list[dict[str, Any]]:
    """Escalations as stored: ``[{level, after_minutes, group_id|None, notify_manager}]``
    sorted by level; levels unique 1..10, after_minutes 0..a year, increasing with the level."""
    if len(items) > MAX_ESCALATIONS:
        raise _bad("escalations", f"at most {MAX_ESCALATIONS} levels")
    indexed: list[tuple[int, dict[str, Any]]] = []
    seen: set[int] = set()
    for i, item in enumerate(items):
        at = f"escalations[{i}]"
        if not isinstance(item, dict):
            raise _bad(at, "an object {level, after_minutes, group_id, notify_manager}")
        level = item.get("level")
        after = item.get("after_minutes")
        group = item.get("group_id")
        if not isinstance(level, int) or not 1 <= level <= MAX_ESCALATIONS:
            raise _bad(f"{at}.level", f"a level from 1 to {MAX_ESCALATIONS}")
        if level in seen:
            raise _bad(f"{at}.level", "each level at most once")
        seen.add(level)
        if not isinstance(after, int) or not 0 <= after <= MAX_TARGET_MINUTES:
            raise _bad(f"{at}.after_minutes", f"business minutes from 0 to {MAX_TARGET_MINUTES}")
        group_id: str | None = None
        if group not in (None, ""):
            try:
                group_id = str(uuid.UUID(str(group)))
            except ValueError as exc:
                raise _bad(f"{at}.group_id", "must be a UUID") from exc
        entry = {
            "level": level,
            "after_minutes": after,
            "group_id": group_id,
            "notify_manager": bool(item.get("notify_manager", False)),
        }
        indexed.append((i, entry))
    indexed.sort(key=lambda pair: pair[1]["level"])
    for (_, prev), (i, cur) in itertools.pairwise(indexed):
        if cur["after_minutes"] < prev["after_minutes"]:
            raise _bad(f"escalations[{i}].after_minutes", "a higher level cannot escalate earlier")
    return [entry for _, entry in indexed]


def check_targets(values: dict[str, Any]) -> None:
    """A policy needs at least one target."""
    if all(values.get(t) is None for t in TARGETS):
        raise _bad("resolution_minutes", "a policy needs at least one target")


def reorder(ids: list[uuid.UUID], moving: uuid.UUID, position: int) -> list[uuid.UUID]:
    """``ids`` (in position order) with ``moving`` placed at the 1-based ``position``
    (clamped to the end); the others keep their relative order."""
    rest = [i for i in ids if i != moving]
    at = max(0, min(position - 1, len(rest)))
    return [*rest[:at], moving, *rest[at:]]
