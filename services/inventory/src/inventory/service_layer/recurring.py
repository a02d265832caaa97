"""The recurring generator: every period of every active subscription and
recurring invoice template that has started (UTC) gets its invoice, exactly
once, also with several replicas running and after downtime.

- **Claim**: one record at a time, ``FOR UPDATE SKIP LOCKED`` (another
  replica's run takes the others; after its commit the record is no longer due,
  because ``next_period_start`` moved in the same transaction).
- **Bill**: per period, in the claiming transaction, the invoice (billing's own
  ``stage_draft`` and, in issue mode, ``stage_issue``: the same pricing and
  gapless numbers), the ``billing_periods`` row whose unique key (source,
  period start) would refuse a second invoice for the period, the events, and
  the advanced ``next_period_start``. All commit together or not at all.
- **Catch-up**: at most ``MAX_PERIODS`` per record per transaction, then the
  record is claimed again until nothing is due; a record that fails is logged
  and left for the next run, so it cannot stop the others.
- **Renewal**: when the next period lies past ``end_date``: with auto_renew the
  term is extended (``crm.inventory.subscription.renewed``), otherwise the
  record ends (``cancelled`` when it was cancelled at period end).

A system job over every tenant (no caller); each record carries its tenant.
``today`` is a parameter so tests can simulate downtime.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from crm_common.db import UnitOfWork
from crm_common.runtime import Job
from inventory.adapters.orm_subscriptions import (
    BillingPeriodRow,
    RecurringInvoiceRow,
    SubscriptionRow,
)
from inventory.adapters.subscription_repository import claim_due
from inventory.domain import recurring_lines as lines
from inventory.domain import subscriptions as rules
from inventory.domain.invoices import InvoiceDraft, LineSpec
from inventory.service_layer.invoices import stage_draft, stage_issue
from inventory.service_layer.subscriptions import subscription_event

MAX_PERIODS = 100  # per record and transaction
log = logging.getLogger("inventory.billing")


def _subscription_draft(row: SubscriptionRow, start: date, end: date) -> InvoiceDraft:
    line = LineSpec(row.description, row.quantity, row.price, taxes=lines.taxes_of(row.taxes),
                    product_id=row.product_id)  # fmt: skip
    return InvoiceDraft(
        account_id=row.account_id, currency=row.currency,
        lines=(lines.for_period(line, start, end),), payment_terms_days=row.payment_terms_days,
        notes=f"Subscription {row.id}: {start.isoformat()} to {end.isoformat()}",
    )  # fmt: skip


def _template_draft(row: RecurringInvoiceRow, start: date, end: date) -> InvoiceDraft:
    period = f"Recurring invoice {row.id}: {start.isoformat()} to {end.isoformat()}"
    return InvoiceDraft(
        account_id=row.account_id, currency=row.currency,
        lines=tuple(lines.line_of(stored) for stored in row.lines),
        payment_terms_days=row.payment_terms_days, notes=f"{row.notes}\n{period}".strip(),
    )  # fmt: skip


@dataclass(frozen=True)
class Source:
    kind: str  # billing_periods.source_kind
    row_type: type[SubscriptionRow] | type[RecurringInvoiceRow]
    draft: Callable[[Any, date, date], InvoiceDraft]


SOURCES = (
    Source(rules.SUBSCRIPTION, SubscriptionRow, _subscription_draft),
    Source(rules.RECURRING, RecurringInvoiceRow, _template_draft),
)


async def generate_due(uow_factory: Callable[[], UnitOfWork], today: date) -> int:
    """Bill everything due on ``today``; the number of invoices made."""
    made = 0
    for source in SOURCES:
        failed: set[uuid.UUID] = set()
        while (count := await _bill_one(uow_factory, source, today, failed)) is not None:
            made += count
    return made


async def _bill_one(
    uow_factory: Callable[[], UnitOfWork], source: Source, today: date, failed: set[uuid.UUID]
) -> int | None:
    """Claim one due record and bill up to MAX_PERIODS of it (None: none due)."""
    async with uow_factory() as uow:
        row = await claim_due(uow.session, source.row_type, today, failed)
        if row is None:
            return None
        record_id = row.id
        try:
            made = await bill_record(uow, source, row, today)
            await uow.commit()
        except Exception:  # one bad record must not stop the others: logged, next run
            log.exception("recurring billing of %s %s failed", source.kind, record_id)
            failed.add(record_id)
            return 0
    return made


async def bill_record(uow: UnitOfWork, source: Source, row: Any, today: date) -> int:
    """Renew, finish or bill the claimed record's due periods (at most MAX_PERIODS)."""
    made = 0
    for _ in range(MAX_PERIODS):
        step = rules.next_step(row, today)
        if step == rules.WAIT:
            break
        if step == rules.FINISH:
            cancelled = getattr(row, "cancelled_at", None) is not None
            row.status = rules.CANCELLED if cancelled else rules.ENDED
            break
        if step == rules.RENEW:
            row.end_date = rules.renew_end(row)
            if isinstance(row, SubscriptionRow):
                uow.record(subscription_event(rules.SUBSCRIPTION_RENEWED, row, None))
            continue
        await _bill_period(uow, source, row, today)
        made += 1
    return made


async def _bill_period(uow: UnitOfWork, source: Source, row: Any, today: date) -> None:
    start = row.next_period_start
    end = rules.period_end(row.start_date, row.period, row.periods_billed)
    invoice = stage_draft(uow, row.tenant_id, source.draft(row, start, end), rules.INVOICE_SOURCE,
                          None)  # fmt: skip
    await uow.session.flush()  # the invoice exists before the period row that names it
    uow.session.add(
        BillingPeriodRow(
            tenant_id=row.tenant_id, source_kind=source.kind, source_id=row.id,
            period_start=start, period_end=end, invoice_id=invoice.id,
        )
    )  # fmt: skip
    if row.invoice_mode == rules.ISSUE_MODE:
        await stage_issue(uow, invoice, None, today)
    rules.advance(row)


def recurring_job(uow_factory: Callable[[], UnitOfWork], every: float) -> Job:
    """Runs ``generate_due`` every ``every`` seconds on every replica; a failed
    run is logged and retried at the next tick."""

    async def job(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                made = await generate_due(uow_factory, datetime.now(UTC).date())
                if made:
                    log.info("recurring billing made %d invoices", made)
            except Exception:
                log.exception("recurring billing failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)

    return job
