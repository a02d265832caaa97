"""Activity reminders: a job turns each armed reminder whose time has come into
one ``crm.sales.activity.due`` event.

Exactly once, also with several replicas: a run claims due rows with
``FOR UPDATE SKIP LOCKED`` (another replica skips them instead of waiting), then
records the event and stamps ``reminded_at`` in the same transaction, so a row is
either still armed or reminded with its event in the outbox. Changing
``reminder_at`` clears ``reminded_at`` (service_layer.activities): armed again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa

from crm.sales.v1 import activities_pb2
from crm_common.db import UnitOfWork, utcnow
from crm_common.events.envelope import NewEvent
from crm_common.runtime import Job
from crm_common.wire import to_timestamp
from sales.adapters.orm_activities import ActivityRow
from sales.domain.activities import ACTIVITY_DUE, CLOSED_STATUSES

BATCH = 100
log = logging.getLogger("sales.reminders")


async def publish_due_reminders(
    uow: Callable[[], UnitOfWork], *, now: datetime | None = None, batch: int = BATCH
) -> int:
    """One run over every tenant: claim due reminders in committed batches until
    none is left. Returns how many events were recorded."""
    total = 0
    while True:
        async with uow() as work:
            claimed = await _claim(work, now or utcnow(), batch)
            for row in claimed:
                work.record(_due_event(row))
            if claimed:
                await work.session.execute(
                    sa.update(ActivityRow)
                    .where(ActivityRow.id.in_([row.id for row in claimed]))
                    .values(reminded_at=utcnow())
                )
            await work.commit()
        total += len(claimed)
        if len(claimed) < batch:
            return total


async def _claim(work: UnitOfWork, now: datetime, batch: int) -> list[ActivityRow]:
    """Due, armed, open reminders that no other run holds (a system job: every
    tenant's rows; each event carries its row's tenant)."""
    stmt = (
        sa.select(ActivityRow)
        .where(
            ActivityRow.reminder_at <= now,
            ActivityRow.reminded_at.is_(None),
            ActivityRow.deleted_at.is_(None),
            ActivityRow.status.not_in(CLOSED_STATUSES),
        )
        .order_by(ActivityRow.reminder_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    return list((await work.session.scalars(stmt)).all())


def _due_event(row: ActivityRow) -> NewEvent:
    """Ids and times only: no subject, description or attendees."""
    payload = activities_pb2.ActivityDue(
        activity_id=str(row.id),
        owner_id=str(row.owner_id),
        type=row.type,
        related_type=row.related_type,
        related_id=str(row.related_id),
        due_at=to_timestamp(row.due_at),
        start_at=to_timestamp(row.start_at),
        reminder_at=to_timestamp(row.reminder_at),
    )
    return NewEvent(ACTIVITY_DUE, str(row.tenant_id), str(row.id), payload)


def reminder_job(uow: Callable[[], UnitOfWork], every: float) -> Job:
    """Look for due reminders every ``every`` seconds; a failed run is logged and
    retried at the next tick."""

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await publish_due_reminders(uow)
            except Exception:
                log.exception("activity reminders failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    return job
