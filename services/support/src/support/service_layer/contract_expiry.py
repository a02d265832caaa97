"""Service contracts nearing their end announce it once (crm.support.contract.expiring).

Every replica runs the job. Exactly once per contract (and end date): a run
claims armed contracts with ``FOR UPDATE SKIP LOCKED`` (another replica skips
them instead of waiting), records the event and stamps ``expiry_warned_at`` in
the same transaction, so a contract is either still armed or announced with its
event in the outbox. Moving the end date re-arms it (service_layer.contracts).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import date, timedelta

import sqlalchemy as sa

from crm.support.v1 import events_pb2
from crm_common.db import UnitOfWork, utcnow
from crm_common.events.envelope import NewEvent
from crm_common.runtime import Job
from support.adapters.orm_field import ServiceContractRow
from support.domain import contracts as rules
from support.service_layer.deps import SupportDeps

BATCH = 100
log = logging.getLogger("support.contract_expiry")


async def announce_expiring(
    uow: Callable[[], UnitOfWork], warning_days: int, *, today: date | None = None,
    batch: int = BATCH,
) -> int:  # fmt: skip
    """One run over every tenant; returns how many events were recorded."""
    day = today or utcnow().date()
    total = 0
    while True:
        async with uow() as work:
            claimed = await _claim(work, day, warning_days, batch)
            for row in claimed:
                work.record(_expiring_event(row, day))
            if claimed:
                await work.session.execute(
                    sa.update(ServiceContractRow)
                    .where(ServiceContractRow.id.in_([row.id for row in claimed]))
                    .values(expiry_warned_at=utcnow())
                )
            await work.commit()
        total += len(claimed)
        if len(claimed) < batch:
            return total


async def _claim(
    work: UnitOfWork, day: date, warning_days: int, batch: int
) -> list[ServiceContractRow]:
    """Active, live contracts ending between today and the horizon, not yet
    announced, that no other run holds (a system job: every tenant's rows)."""
    row = ServiceContractRow
    stmt = (
        sa.select(row)
        .where(
            row.status == rules.ACTIVE,
            row.expiry_warned_at.is_(None),
            row.deleted_at.is_(None),
            row.end_date >= day,
            row.end_date <= day + timedelta(days=warning_days),
        )
        .order_by(row.end_date, row.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    return list((await work.session.scalars(stmt)).all())


def _expiring_event(row: ServiceContractRow, day: date) -> NewEvent:
    payload = events_pb2.ContractExpiring(
        contract_id=str(row.id), account_id=str(row.account_id), owner_id=str(row.owner_id),
        name=row.name, end_date=row.end_date.isoformat(),
        days_left=rules.days_left(row.end_date, day),
    )  # fmt: skip
    return NewEvent(rules.CONTRACT_EXPIRING, str(row.tenant_id), str(row.id), payload)


def contract_expiry_job(deps: SupportDeps) -> Job:
    """Look for expiring contracts every ``contract_poll_seconds``; a failed run
    is logged and retried at the next tick."""
    every = deps.settings.contract_poll_seconds
    days = deps.settings.contract_expiry_warning_days

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await announce_expiring(deps.uow, days)
            except Exception:
                log.exception("contract expiry warnings failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    return job
