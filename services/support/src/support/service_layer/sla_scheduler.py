"""The SLA scheduler: warnings, breaches and escalations, once per case and target.

Every replica runs it every ``sla_poll_seconds``. Each run looks at every
tenant's cases whose clock runs (not paused, not resolved or closed, not
deleted) and whose precomputed instants have come (case_sla keeps them:
``<target>_warn_at`` when ``warning_percent`` of the target has elapsed,
``<target>_due_at``, ``next_escalation_at``):

* ``crm.support.sla.warning`` / ``crm.support.sla.breached`` per target
  (first_response, next_response, resolution). Exactly once, also with several
  replicas and restarts: a run claims due rows with ``FOR UPDATE SKIP LOCKED``
  (another replica skips them instead of waiting), then stamps the claim column
  (``<target>_warned_at``, ``<target>_breached``) and records the event in the
  same transaction, so a row is either still unclaimed or claimed with its event
  in the outbox. Breaches count in ``crm_sla_breaches_total{target}``.
* Escalation levels (business minutes after the resolution target, in order):
  the case moves to the level's group (owner by round robin over that group, or
  unassigned in its queue when it has no users or identity cannot say), and
  ``crm.support.sla.escalated`` names the owner's manager (a user in the parent
  role of the owner's role, from identity's org chart) when the level notifies
  the manager. Claimed the same way (``escalation_level`` advances under the
  row lock). Identity is asked as a service principal of the case's tenant.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crm_common.auth import acting_as_service
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import CrmError
from crm_common.runtime import Job
from support.adapters.orm_cases import CaseRow
from support.domain import case_sla as rules
from support.domain.cases import CASE_ASSIGNED, DONE
from support.metrics import SLA_BREACHES
from support.service_layer import case_events, case_sla
from support.service_layer.case_assignment import AssignmentPlan, choose_owner
from support.service_layer.case_directory import GroupDirectory, directory_of
from support.service_layer.deps import SupportDeps

BATCH = 100
log = logging.getLogger("support.sla_scheduler")


@dataclass(frozen=True)
class Claim:
    """One kind of notice: which instant makes it due, which column claims it."""

    target: str
    kind: str  # warning | breached
    at: Any  # the instant column
    unclaimed: Any  # the condition "not yet claimed"
    running: Any  # the condition "the target still runs"

    def claim_values(self, now: datetime) -> dict[str, Any]:
        if self.kind == "warning":
            return {f"{self.target}_warned_at": now}
        values: dict[str, Any] = {f"{self.target}_breached": True}
        values[f"{self.target}_breached_at"] = now
        return values


CLAIMS = (
    Claim(
        rules.FIRST_RESPONSE,
        "warning",
        CaseRow.first_response_warn_at,
        CaseRow.first_response_warned_at.is_(None),
        CaseRow.first_responded_at.is_(None),
    ),
    Claim(
        rules.FIRST_RESPONSE,
        "breached",
        CaseRow.first_response_due_at,
        CaseRow.first_response_breached.is_(False),
        CaseRow.first_responded_at.is_(None),
    ),
    Claim(
        rules.NEXT_RESPONSE,
        "warning",
        CaseRow.next_response_warn_at,
        CaseRow.next_response_warned_at.is_(None),
        CaseRow.awaiting_reply_since.is_not(None),
    ),
    Claim(
        rules.NEXT_RESPONSE,
        "breached",
        CaseRow.next_response_due_at,
        CaseRow.next_response_breached_at.is_(None),
        CaseRow.awaiting_reply_since.is_not(None),
    ),
    Claim(
        rules.RESOLUTION,
        "warning",
        CaseRow.resolution_warn_at,
        CaseRow.resolution_warned_at.is_(None),
        sa.true(),
    ),
    Claim(
        rules.RESOLUTION,
        "breached",
        CaseRow.resolution_due_at,
        CaseRow.resolution_breached.is_(False),
        sa.true(),
    ),
)


def _running() -> list[sa.ColumnElement[bool]]:
    return [
        CaseRow.deleted_at.is_(None),
        CaseRow.sla_paused_at.is_(None),
        CaseRow.status.not_in(sorted(DONE)),
    ]


async def publish_sla_notices(
    uow: Callable[[], UnitOfWork], *, now: datetime | None = None, batch: int = BATCH
) -> int:
    """Warnings and breaches due now, every tenant. Returns the events recorded."""
    total = 0
    for claim in CLAIMS:
        while True:
            count = await _claim_batch(uow, claim, now or utcnow(), batch)
            total += count
            if count < batch:
                break
    return total


async def _claim_batch(
    uow: Callable[[], UnitOfWork], claim: Claim, now: datetime, batch: int
) -> int:
    async with uow() as work:
        stmt = (
            sa.select(CaseRow)
            .where(*_running(), claim.running, claim.unclaimed, claim.at <= now)
            .order_by(claim.at)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
        rows = list((await work.session.scalars(stmt)).all())
        subject = rules.SLA_WARNING if claim.kind == "warning" else rules.SLA_BREACHED
        for row in rows:
            due = getattr(row, f"{claim.target}_due_at")
            for name, value in claim.claim_values(utcnow()).items():
                setattr(row, name, value)
            case_sla.update_status(row)
            work.record(case_events.sla_event(subject, row, claim.target, due))
        await work.commit()
    if claim.kind == "breached" and rows:
        SLA_BREACHES.labels(target=claim.target).inc(len(rows))
    return len(rows)


# ---- escalations ----


async def escalate_due_cases(
    deps: SupportDeps,
    *,
    now: datetime | None = None,
    batch: int = BATCH,
    directory: GroupDirectory | None = None,
) -> int:
    """Escalation levels due now, every tenant: one case per transaction (identity
    is asked while the row is held). Returns how many levels were applied."""
    directory = directory or directory_of(deps)
    moment = now or utcnow()
    async with deps.uow() as work:
        due = await work.session.execute(
            sa.select(CaseRow.id, CaseRow.tenant_id)
            .where(*_running(), CaseRow.next_escalation_at <= moment)
            .order_by(CaseRow.next_escalation_at)
            .limit(batch)
        )
        candidates = list(due.all())
    done = 0
    for case_id, tenant_id in candidates:
        try:
            with acting_as_service(tenant_id):
                done += await _escalate(deps, directory, case_id, moment)
        except CrmError as exc:  # identity down: the level stays due, next tick retries
            log.warning("escalation of case %s postponed: %s", case_id, exc.message)
    return done


async def _escalate(
    deps: SupportDeps, directory: GroupDirectory | None, case_id: uuid.UUID, now: datetime
) -> int:
    async with deps.uow() as work:
        stmt = (
            sa.select(CaseRow)
            .where(CaseRow.id == case_id, *_running(), CaseRow.next_escalation_at <= now)
            .with_for_update(skip_locked=True)
        )
        row = await work.session.scalar(stmt)
        if row is None:
            return 0  # another replica has it, or it changed
        terms = case_sla.terms(row)
        level = terms.escalation(row.escalation_level + 1) if terms else None
        if level is None:
            row.next_escalation_at = None
            await work.commit()
            return 0
        previous_owner = row.owner_id
        if level.group_id is not None:
            row.group_id = level.group_id
            row.owner_id = await _group_owner(work, directory, row.tenant_id, level.group_id)
        manager = None
        if level.notify_manager and directory is not None:
            subject_user = previous_owner or row.owner_id
            if subject_user is not None:
                manager = (await directory.org_chart()).manager_of(subject_user)
        row.escalation_level += 1
        await case_sla.refresh(work.session, row)  # the next level's instant
        work.record(
            case_events.sla_event(
                rules.SLA_ESCALATED,
                row,
                rules.RESOLUTION,
                row.resolution_due_at,
                level=level.level,
                escalation_group_id=level.group_id,
                manager_id=manager,
            )
        )
        if row.owner_id != previous_owner or level.group_id is not None:
            work.record(
                case_events.case_changed(
                    CASE_ASSIGNED, row, actor=None, previous_owner_id=previous_owner
                )
            )
        await work.commit()
    return 1


async def _group_owner(
    work: UnitOfWork, directory: GroupDirectory | None, tenant_id: uuid.UUID, group_id: uuid.UUID
) -> uuid.UUID | None:
    """Round robin over the group's users; None (its queue) when it has none or
    identity does not know the group."""
    if directory is None:
        return None
    users = await directory.group_users(group_id)
    if not users:
        return None
    return await choose_owner(
        work.session, AssignmentPlan(tenant_id, group_id, "round_robin", users)
    )


async def run_once(deps: SupportDeps, *, now: datetime | None = None) -> int:
    notices = await publish_sla_notices(deps.uow, now=now)
    return notices + await escalate_due_cases(deps, now=now)


def sla_job(deps: SupportDeps) -> Job:
    """Every ``sla_poll_seconds``; a failed run is logged and retried next tick."""

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await run_once(deps)
            except Exception:
                log.exception("SLA scheduler run failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=deps.settings.sla_poll_seconds)

    return job
