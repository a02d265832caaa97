"""Issued and partially paid invoices past their due date become overdue, once
each, with one ``crm.inventory.invoice.overdue`` each.

One UPDATE claims and changes the rows: it locks them (SKIP LOCKED: another
replica's run takes the others) and re-checks the status, so with any number of
replicas an invoice turns overdue exactly once; its event is written to the
outbox in the same transaction. A system job over every tenant (no caller).
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
from inventory.adapters.orm_billing import InvoiceRow
from inventory.domain import invoices as rules
from inventory.service_layer.invoices import invoice_event

BATCH = 500
log = logging.getLogger("inventory.billing")


async def mark_overdue(uow_factory: Callable[[], UnitOfWork], today: date) -> int:
    """Mark up to ``BATCH`` invoices overdue; the number marked."""
    open_past_due = (InvoiceRow.status.in_(rules.OVERDUE_FROM), InvoiceRow.due_date < today)
    due = (
        sa.select(InvoiceRow.id)
        .where(*open_past_due, active(InvoiceRow))
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    )
    now = datetime.now(UTC)
    stmt = (
        sa.update(InvoiceRow)
        .where(InvoiceRow.id.in_(due.scalar_subquery()), *open_past_due)
        .values(status=rules.OVERDUE, updated_at=now, version=InvoiceRow.version + 1)
        .returning(InvoiceRow)
        .execution_options(synchronize_session=False)
    )
    async with uow_factory() as uow:
        marked = list(await uow.session.scalars(stmt))
        for invoice in marked:
            uow.record(invoice_event(rules.INVOICE_OVERDUE, invoice, None))
        await uow.commit()
    return len(marked)


def overdue_job(uow_factory: Callable[[], UnitOfWork], every: float) -> Job:
    """Runs ``mark_overdue`` every ``every`` seconds (repeating at once while a
    run fills a batch); a failed run is logged and retried at the next tick."""

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                while await mark_overdue(uow_factory, datetime.now(UTC).date()) == BATCH:
                    pass
            except Exception:
                log.exception("overdue check failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    return job
