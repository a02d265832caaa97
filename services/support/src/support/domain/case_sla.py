"""The SLA clock of one case (pure rules on top of support.domain.sla_clock).

A case keeps the terms of the policy that matched when it was opened (a
snapshot: later edits of the policy do not move open cases' clocks). From the
terms, the clock's start (``reported_at``) and the pause intervals, the
schedule gives each target's due time, the instant its warning is due
(``warning_percent`` of the target elapsed) and the next escalation level's
instant (business minutes after the resolution target). The clock is stopped
while the status is one of the policy's pause statuses and while the case is
resolved or closed (a reopened case carries on where it stopped).

Targets: first response (until the first public agent reply), resolution
(until resolved or closed), next response (from a customer comment after the
first response until the next public agent reply; each such cycle is one
target instance).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from support.domain.business_time import Calendar
from support.domain.sla_clock import Pause, due_at, elapsed_business_minutes
from support.domain.sla_policies import Escalation, MatchedPolicy

FIRST_RESPONSE = "first_response"
NEXT_RESPONSE = "next_response"
RESOLUTION = "resolution"
TARGETS = (FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION)

SLA_WARNING = "crm.support.sla.warning"
SLA_BREACHED = "crm.support.sla.breached"
SLA_ESCALATED = "crm.support.sla.escalated"

# Minutes on the clock of a case without a policy: wall-clock minutes.
ALWAYS = Calendar(timezone="UTC", always_open=True)


@dataclass(frozen=True)
class SlaTerms:
    policy_id: uuid.UUID
    calendar: Calendar
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    warning_percent: int
    pause_statuses: frozenset[str]
    escalations: tuple[Escalation, ...]

    def target(self, name: str) -> int | None:
        minutes: int | None = getattr(self, f"{name}_minutes")
        return minutes

    def escalation(self, level: int) -> Escalation | None:
        """The escalation with this level (1-based position in ascending order)."""
        ordered = self.ordered_escalations()
        return ordered[level - 1] if 0 < level <= len(ordered) else None

    def ordered_escalations(self) -> tuple[Escalation, ...]:
        return tuple(sorted(self.escalations, key=lambda e: (e.after_minutes, e.level)))


def terms_of(policy: MatchedPolicy) -> SlaTerms:
    return SlaTerms(
        policy_id=policy.id,
        calendar=policy.calendar,
        first_response_minutes=policy.first_response_minutes,
        next_response_minutes=policy.next_response_minutes,
        resolution_minutes=policy.resolution_minutes,
        warning_percent=policy.warning_percent,
        pause_statuses=frozenset(policy.pause_statuses),
        escalations=tuple(policy.escalations),
    )


# ---- the snapshot kept on the case (JSON) ----


def terms_to_json(terms: SlaTerms) -> dict[str, Any]:
    cal = terms.calendar
    return {
        "policy_id": str(terms.policy_id),
        "calendar": {
            "timezone": cal.timezone,
            "always_open": cal.always_open,
            "weekly": {
                str(day): [[a.isoformat(), b.isoformat()] for a, b in spans]
                for day, spans in sorted(cal.weekly.items())
            },
            "holidays": sorted(d.isoformat() for d in cal.holidays),
        },
        "first_response_minutes": terms.first_response_minutes,
        "next_response_minutes": terms.next_response_minutes,
        "resolution_minutes": terms.resolution_minutes,
        "warning_percent": terms.warning_percent,
        "pause_statuses": sorted(terms.pause_statuses),
        "escalations": [
            {
                "level": e.level,
                "after_minutes": e.after_minutes,
                "group_id": str(e.group_id) if e.group_id else None,
                "notify_manager": e.notify_manager,
            }
            for e in terms.escalations
        ],
    }


def terms_from_json(data: Mapping[str, Any]) -> SlaTerms:
    cal = data["calendar"]
    weekly = {
        int(day): tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in spans)
        for day, spans in cal.get("weekly", {}).items()
    }
    calendar = Calendar(
        timezone=cal["timezone"],
        weekly=weekly,
        holidays=frozenset(date.fromisoformat(d) for d in cal.get("holidays", [])),
        always_open=bool(cal.get("always_open", False)),
    )
    escalations = tuple(
        Escalation(
            level=int(e["level"]),
            after_minutes=int(e["after_minutes"]),
            group_id=uuid.UUID(e["group_id"]) if e.get("group_id") else None,
            notify_manager=bool(e.get("notify_manager", False)),
        )
        for e in data.get("escalations", [])
    )
    return SlaTerms(
        policy_id=uuid.UUID(data["policy_id"]),
        calendar=calendar,
        first_response_minutes=data.get("first_response_minutes"),
        next_response_minutes=data.get("next_response_minutes"),
        resolution_minutes=data.get("resolution_minutes"),
        warning_percent=int(data.get("warning_percent", 80)),
        pause_statuses=frozenset(data.get("pause_statuses", [])),
        escalations=escalations,
    )


# ---- the schedule ----


def warning_minutes(target: int, percent: int) -> int | None:
    """Elapsed minutes at which ``percent`` of ``target`` has run (rounded up);
    None when the policy warns at 0% or less (no warning)."""
    if percent <= 0:
        return None
    return min(target, math.ceil(target * percent / 100))


@dataclass(frozen=True)
class Schedule:
    first_response_due_at: datetime | None = None
    first_response_warn_at: datetime | None = None
    next_response_due_at: datetime | None = None
    next_response_warn_at: datetime | None = None
    resolution_due_at: datetime | None = None
    resolution_warn_at: datetime | None = None
    next_escalation_at: datetime | None = None


def _after(pauses: Iterable[Pause], since: datetime) -> list[Pause]:
    """Pauses clipped to start no earlier than ``since`` (a next-response cycle)."""
    out = []
    for p in pauses:
        if p.end is not None and p.end <= since:
            continue
        out.append(Pause(max(p.start, since), p.end))
    return out


def schedule(
    terms: SlaTerms,
    *,
    started_at: datetime,
    pauses: Sequence[Pause],
    first_responded: bool,
    awaiting_since: datetime | None,
    escalation_level: int,
) -> Schedule:
    """Due and warning instants of the targets still running (None: no such
    target, already fulfilled, or the clock is stopped by an open pause)."""
    cal = terms.calendar

    def at(start: datetime, minutes: int | None, holes: Sequence[Pause]) -> datetime | None:
        return None if minutes is None else due_at(cal, start, minutes, holes)

    def warn(target: int | None) -> int | None:
        return None if target is None else warning_minutes(target, terms.warning_percent)

    values: dict[str, datetime | None] = {}
    first = None if first_responded else terms.first_response_minutes
    values["first_response_due_at"] = at(started_at, first, pauses)
    values["first_response_warn_at"] = at(started_at, warn(first), pauses)
    resolution = terms.resolution_minutes
    values["resolution_due_at"] = at(started_at, resolution, pauses)
    values["resolution_warn_at"] = at(started_at, warn(resolution), pauses)
    nxt = terms.next_response_minutes
    if awaiting_since is not None and nxt is not None:
        cycle = _after(pauses, awaiting_since)
        values["next_response_due_at"] = at(awaiting_since, nxt, cycle)
        values["next_response_warn_at"] = at(awaiting_since, warn(nxt), cycle)
    following = terms.escalation(escalation_level + 1)
    if following is not None and resolution is not None:
        values["next_escalation_at"] = at(started_at, resolution + following.after_minutes, pauses)
    return Schedule(**values)


def elapsed(
    terms: SlaTerms | None, started_at: datetime, now: datetime, pauses: Sequence[Pause]
) -> int:
    """Business minutes on the case's clock (wall-clock minutes without a policy)."""
    calendar = terms.calendar if terms is not None else ALWAYS
    return elapsed_business_minutes(calendar, started_at, now, pauses)


def clock_stopped(status: str, pause_statuses: Iterable[str]) -> bool:
    """Whether the case's SLA clock stands still in ``status``."""
    return status in {"resolved", "closed"} or status in set(pause_statuses)


@dataclass(frozen=True)
class SlaFlags:
    status: str
    paused: bool
    first_response_breached: bool = False
    resolution_breached: bool = False
    next_response_breached: bool = False
    first_response_warned: bool = False  # and still running
    resolution_warned: bool = False
    next_response_warned: bool = False


def sla_status(flags: SlaFlags) -> str:
    """on_track | warning | breached | fulfilled | paused."""
    breached = (
        flags.first_response_breached or flags.resolution_breached or flags.next_response_breached
    )
    if flags.status in {"resolved", "closed"}:
        return "breached" if breached else "fulfilled"
    if flags.paused:
        return "paused"
    if breached:
        return "breached"
    if flags.first_response_warned or flags.resolution_warned or flags.next_response_warned:
        return "warning"
    return "on_track"
