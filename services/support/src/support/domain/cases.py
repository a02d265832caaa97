"""Cases: the values a case may hold and the status transition table (pure rules).

Transition table (any status may also stay what it is):

    new                    -> open, waiting_on_customer, waiting_on_third_party, resolved, closed
    open                   -> waiting_on_customer, waiting_on_third_party, resolved, closed
    waiting_on_customer    -> open, waiting_on_third_party, resolved, closed
    waiting_on_third_party -> open, waiting_on_customer, resolved, closed
    resolved               -> closed, open (a reopen)
    closed                 -> open (a reopen)

A reopen is allowed within ``reopen_days`` of the case's resolution (its
resolved_at, or closed_at when it was closed without being resolved); later it
is refused (FAILED_PRECONDITION, 409 at the gateway).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from crm_common.errors import FailedPrecondition, FieldViolation, InvalidArgument

MODULE = "cases"

PRIORITIES = ("P1", "P2", "P3", "P4")
STATUSES = ("new", "open", "waiting_on_customer", "waiting_on_third_party", "resolved", "closed")
CHANNELS = ("email", "phone", "web", "chat", "other")
SLA_STATUSES = ("on_track", "warning", "breached", "fulfilled", "paused")
ASSIGNMENTS = ("round_robin", "least_loaded")
DONE = frozenset({"resolved", "closed"})
WORKING = frozenset(STATUSES) - DONE

TRANSITIONS: Mapping[str, frozenset[str]] = {
    "new": frozenset({"open", "waiting_on_customer", "waiting_on_third_party", *DONE}),
    "open": frozenset({"waiting_on_customer", "waiting_on_third_party", *DONE}),
    "waiting_on_customer": frozenset({"open", "waiting_on_third_party", *DONE}),
    "waiting_on_third_party": frozenset({"open", "waiting_on_customer", *DONE}),
    "resolved": frozenset({"closed", "open"}),
    "closed": frozenset({"open"}),
}

SUBJECT_MAX = 300
DESCRIPTION_MAX = 20_000
TIER_MAX = 50
COMMENT_MAX = 20_000
MENTIONS_MAX = 50

ID_FIELDS = ("account_id", "contact_id", "asset_id", "owner_id", "group_id", "service_contract_id")
TEXT_FIELDS = ("subject", "description", "priority", "status", "channel", "account_tier")
EDITABLE = frozenset({*TEXT_FIELDS, *ID_FIELDS})

# Events (subjects).
CASE_CREATED = "crm.support.case.created"
CASE_ASSIGNED = "crm.support.case.assigned"
CASE_STATUS_CHANGED = "crm.support.case.status_changed"
CASE_RESOLVED = "crm.support.case.resolved"
CASE_COMMENTED = "crm.support.case.commented"


def format_number(year: int, value: int) -> str:
    return f"CS-{year}-{value:06d}"


def clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Text trimmed; nothing else changes."""
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


def validate(values: Mapping[str, Any], *, creating: bool) -> None:
    """Every violated field at once (422)."""
    problems: list[FieldViolation] = []

    def bad(name: str, message: str) -> None:
        problems.append(FieldViolation(name, message))

    if creating or "subject" in values:
        subject = values.get("subject") or ""
        if not subject:
            bad("subject", "is required")
        elif len(subject) > SUBJECT_MAX:
            bad("subject", f"at most {SUBJECT_MAX} characters")
    if len(values.get("description") or "") > DESCRIPTION_MAX:
        bad("description", f"at most {DESCRIPTION_MAX} characters")
    if (creating or "priority" in values) and values.get("priority") not in PRIORITIES:
        bad("priority", f"must be one of {', '.join(PRIORITIES)}")
    if "status" in values and values["status"] not in STATUSES:
        bad("status", f"must be one of {', '.join(STATUSES)}")
    if "channel" in values and values["channel"] not in CHANNELS:
        bad("channel", f"must be one of {', '.join(CHANNELS)}")
    if len(values.get("account_tier") or "") > TIER_MAX:
        bad("account_tier", f"at most {TIER_MAX} characters")
    if values.get("assignment") and values["assignment"] not in ASSIGNMENTS:
        bad("assignment", f"must be one of {', '.join(ASSIGNMENTS)}")
    if values.get("assignment") and not values.get("group_id"):
        bad("group_id", "required with assignment")
    if values.get("assignment") and values.get("owner_id"):
        bad("owner_id", "give either owner_id or assignment")
    if problems:
        first = problems[0]
        raise InvalidArgument(f"{first.field}: {first.message}", problems)


REPORTED_WITHIN = timedelta(days=3653)  # ten years


def check_reported_at(reported_at: datetime, now: datetime) -> None:
    # A little clock skew between the client and us is no future.
    if reported_at > now + timedelta(minutes=1):
        raise InvalidArgument.for_field("reported_at", "must not be in the future")
    if reported_at < now - REPORTED_WITHIN:
        raise InvalidArgument.for_field("reported_at", "at most ten years ago")


def check_initial_status(status: str) -> None:
    if status not in WORKING:
        raise InvalidArgument.for_field("status", "a new case cannot start resolved or closed")


def is_reopen(current: str, target: str) -> bool:
    return current in DONE and target not in DONE


def check_transition(
    current: str,
    target: str,
    *,
    done_at: datetime | None,
    now: datetime,
    reopen_days: int,
) -> None:
    """Raise FailedPrecondition when ``current -> target`` is not allowed now."""
    if current == target:
        return
    if target not in TRANSITIONS.get(current, frozenset()):
        raise FailedPrecondition(f"a {current} case cannot become {target}")
    late = done_at is not None and now - done_at > timedelta(days=reopen_days)
    if is_reopen(current, target) and late:
        raise FailedPrecondition(
            f"the case was {current} more than {reopen_days} days ago; open a new case"
        )


def validate_comment(body: str, mentions: list[str]) -> list[uuid.UUID]:
    problems: list[FieldViolation] = []
    if not body.strip():
        problems.append(FieldViolation("body", "is required"))
    elif len(body) > COMMENT_MAX:
        problems.append(FieldViolation("body", f"at most {COMMENT_MAX} characters"))
    if len(mentions) > MENTIONS_MAX:
        problems.append(FieldViolation("mentioned_user_ids", f"at most {MENTIONS_MAX}"))
    found: list[uuid.UUID] = []
    for i, raw in enumerate(mentions):
        try:
            value = uuid.UUID(raw)
        except ValueError:
            problems.append(FieldViolation(f"mentioned_user_ids[{i}]", "must be a UUID"))
            continue
        if value not in found:
            found.append(value)
    if problems:
        first = problems[0]
        raise InvalidArgument(f"{first.field}: {first.message}", problems)
    return found
