"""Sent quotes past valid_until become expired, once each, with one event each.

One UPDATE claims and changes the rows: it locks them (SKIP LOCKED: another
replica's run takes the others) and re-checks ``status = 'sent'``, so with two
replicas a quote is expired exactly once; the events are written to the outbox in
the same transaction. This is a system job over every tenant (no caller).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime

import sqlalchemy as sa

from crm_common.db import UnitOfWork
from crm_common.recycle_bin import active
from crm_common.runtime import Job
from sales.adapters.orm_quotes import QuoteRow
from sales.domain import quote_states as states
from sales.service_layer.quote_shared import quote_event

BATCH = 500
log = logging.getLogger("sales.quotes")


async def expire_quotes(uow_factory: Callable[[], UnitOfWork], today: date) -> int:
    """Expire up to ``BATCH`` quotes; the number expired."""
    due = (
        sa.select(QuoteRow.id)
        .where(QuoteRow.status == states.SENT, QuoteRow.valid_until < today, active(QuoteRow))
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    stmt = (
        sa.update(QuoteRow)
        .where(QuoteRow.id.in_(due.scalar_subquery()), QuoteRow.status == states.SENT)
        .values(
            status=states.EXPIRED,
            decided_at=datetime.now(UTC),
            updated_at=datetime.now(UTC),
            version=QuoteRow.version + 1,
        )
        .returning(QuoteRow)
        .execution_options(synchronize_session=False)
    )
    async with uow_factory() as uow:
        expired = list(await uow.session.scalars(stmt))
        for quote in expired:
            uow.record(quote_event(states.QUOTE_EXPIRED, quote, None))
        await uow.commit()
    return len(expired)


def expiry_job(uow_factory: Callable[[], UnitOfWork], every: float) -> Job:
    """Runs ``expire_quotes`` every ``every`` seconds (until a run finds none left
    it repeats at once); a failed run is logged and retried at the next tick."""

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                while await expire_quotes(uow_factory, datetime.now(UTC).date()) == BATCH:
                    pass
            except Exception:
                log.exception("quote expiry failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    return job
