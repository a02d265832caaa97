"""The SLA clock kept on a case row: started at creation, stopped and resumed by
status changes, fulfilled by replies and resolution (used inside a handler's
transaction; the rules themselves are in support.domain.case_sla).

* Creation: ``match_policy`` picks the policy; its terms are kept on the case
  (a snapshot) and the due times computed from ``reported_at``.
* A status in the policy's pause statuses, or resolved/closed, stops the clock:
  a pause interval opens (table case_sla_pauses). Leaving those statuses closes
  it and moves every running due time by the paused business time.
* The first public agent comment fulfils first response (first_response_minutes,
  business minutes, pauses excluded); resolving (or closing an unresolved case)
  fulfils resolution (resolution_minutes). Fulfilled after its due time, a target
  is marked breached even if the scheduler had not yet noticed.
* A customer comment after the first response starts a next-response cycle (when
  the policy has a next-response target); the next public agent comment ends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from support.adapters.case_repository import close_pauses, open_pause, pauses_of
from support.adapters.orm_cases import CaseRow
from support.domain import case_sla as rules
from support.domain.cases import DONE
from support.domain.sla_clock import Pause
from support.domain.sla_policies import MatchedPolicy


def terms(row: CaseRow) -> rules.SlaTerms | None:
    return rules.terms_from_json(row.sla_terms) if row.sla_terms else None


def pause_statuses(row: CaseRow) -> frozenset[str]:
    found = terms(row)
    return found.pause_statuses if found is not None else frozenset()


async def start_clock(
    session: AsyncSession, row: CaseRow, policy: MatchedPolicy | None, now: datetime
) -> None:
    """A new case (already added to the session): its policy and due times."""
    if policy is not None:
        row.sla_policy_id = policy.id
        row.sla_terms = rules.terms_to_json(rules.terms_of(policy))
    await refresh(session, row, pauses=[])  # before the first flush: one INSERT
    if rules.clock_stopped(row.status, pause_statuses(row)):
        await open_pause(session, row, row.status, now)
        row.sla_paused_at = now
        update_status(row)


async def refresh(
    session: AsyncSession, row: CaseRow, *, pauses: Sequence[Pause] | None = None
) -> None:
    """Recompute the running targets' instants (none while the clock stands
    still: they keep their last values) and the SLA status."""
    found = terms(row)
    if found is not None and row.sla_paused_at is None:
        plan = rules.schedule(
            found,
            started_at=row.reported_at,
            pauses=await pauses_of(session, row.id) if pauses is None else pauses,
            first_responded=row.first_responded_at is not None,
            awaiting_since=row.awaiting_reply_since,
            escalation_level=row.escalation_level,
        )
        if row.first_responded_at is None:
            row.first_response_due_at = plan.first_response_due_at
            row.first_response_warn_at = plan.first_response_warn_at
        if row.status not in DONE:
            row.resolution_due_at = plan.resolution_due_at
            row.resolution_warn_at = plan.resolution_warn_at
            row.next_escalation_at = plan.next_escalation_at
        row.next_response_due_at = plan.next_response_due_at
        row.next_response_warn_at = plan.next_response_warn_at
    update_status(row)


def update_status(row: CaseRow) -> None:
    row.sla_status = rules.sla_status(
        rules.SlaFlags(
            status=row.status,
            paused=row.sla_paused_at is not None,
            first_response_breached=row.first_response_breached,
            resolution_breached=row.resolution_breached,
            next_response_breached=row.next_response_breached,
            first_response_warned=(
                row.first_response_warned_at is not None and row.first_responded_at is None
            ),
            resolution_warned=row.resolution_warned_at is not None,
            next_response_warned=(
                row.next_response_warned_at is not None and row.awaiting_reply_since is not None
            ),
        )
    )


async def change_status(session: AsyncSession, row: CaseRow, new: str, now: datetime) -> None:
    """``row.status`` becomes ``new`` (the transition already checked) and the
    clock follows."""
    old = row.status
    if old == new:
        return
    stopped_before = row.sla_paused_at is not None
    if new in DONE and old not in DONE:
        await _fulfil_resolution(session, row, now)
    if new == "closed":
        row.closed_at = now
    if old in DONE and new not in DONE:  # a reopen: the resolution target runs again
        row.resolved_at = None
        row.closed_at = None
        row.resolution_minutes = None
    if new == "resolved":
        row.resolved_at = now
    row.status = new
    stopped_now = rules.clock_stopped(new, pause_statuses(row))
    if stopped_now and not stopped_before:
        await open_pause(session, row, new, now)
        row.sla_paused_at = now
    elif stopped_before and not stopped_now:
        await close_pauses(session, row.id, now)
        row.sla_paused_at = None
    await refresh(session, row)


async def _fulfil_resolution(session: AsyncSession, row: CaseRow, now: datetime) -> None:
    pauses = await pauses_of(session, row.id)
    row.resolution_minutes = rules.elapsed(terms(row), row.reported_at, now, pauses)
    if row.resolution_due_at is not None and now > row.resolution_due_at:
        row.resolution_breached = True


async def agent_replied(session: AsyncSession, row: CaseRow, now: datetime) -> bool:
    """A public agent comment: fulfils first response, or the running next-response
    cycle. True when it fulfilled something."""
    if row.first_responded_at is None:
        pauses = await pauses_of(session, row.id)
        row.first_responded_at = now
        row.first_response_minutes = rules.elapsed(terms(row), row.reported_at, now, pauses)
        if row.first_response_due_at is not None and now > row.first_response_due_at:
            row.first_response_breached = True
        row.first_response_warn_at = None
        update_status(row)
        return True
    if row.awaiting_reply_since is not None:
        if row.next_response_due_at is not None and now > row.next_response_due_at:
            row.next_response_breached = True
        row.awaiting_reply_since = None
        row.next_response_due_at = None
        row.next_response_warn_at = None
        update_status(row)
        return True
    return False


async def customer_wrote(session: AsyncSession, row: CaseRow, now: datetime) -> None:
    """A customer comment after the first response starts a next-response cycle
    (when the policy has that target and no cycle is running)."""
    found = terms(row)
    if found is None or found.next_response_minutes is None:
        return
    if row.first_responded_at is None or row.awaiting_reply_since is not None:
        return
    if row.status in DONE:
        return
    row.awaiting_reply_since = now
    row.next_response_warned_at = None
    row.next_response_breached_at = None
    await refresh(session, row)
