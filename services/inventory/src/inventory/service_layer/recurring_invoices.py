"""Recurring invoices: a template (lines as an invoice's) billed every period by
the same generator as subscriptions (``recurring.py``).

Module ``invoices`` decides (a template makes invoices); no record owner.
Stopping one is a change of ``status`` to cancelled (at once).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from crm_common.access import AccessContext, check_writable_fields, require
from crm_common.errors import InvalidArgument
from crm_common.pagination import Page
from inventory.adapters.orm_subscriptions import RecurringInvoiceRow
from inventory.adapters.subscription_repository import ScheduleFilters, ScheduleRepository
from inventory.domain import invoices as invoice_rules
from inventory.domain import recurring_lines as lines
from inventory.domain import subscriptions as rules
from inventory.domain.commands import CreateRecord, UpdateRecord
from inventory.domain.invoices import INVOICES, LineSpec
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.schedules import apply_schedule_changes, changeable, terms, today
from inventory.service_layer.shared import actor, commit, tenant


async def create_recurring_invoice(
    cmd: CreateRecord, ctx: AccessContext, deps: InventoryDeps
) -> RecurringInvoiceRow:
    require(ctx, INVOICES, "create")
    check_writable_fields(ctx, INVOICES, cmd.values)
    v = cmd.values
    currency = invoice_rules.check_currency(v.get("currency", ""))
    specs: Sequence[LineSpec] = v.get("lines", ())
    lines.check_template_lines(specs, currency)
    schedule = rules.new_schedule(
        v.get("period", ""), v.get("start_date") or today(), v.get("end_date"),
        auto_renew=bool(v.get("auto_renew")), mode=v.get("invoice_mode", ""), today=today(),
    )  # fmt: skip
    async with deps.uow() as uow:
        row = RecurringInvoiceRow(
            id=uuid.uuid4(), tenant_id=tenant(ctx), account_id=v["account_id"],
            currency=currency, lines=[lines.line_json(s) for s in specs],
            notes=v.get("notes", ""), payment_terms_days=terms(v.get("payment_terms_days")),
            created_by=actor(ctx), updated_by=actor(ctx), **schedule,
        )  # fmt: skip
        uow.session.add(row)
        await commit(uow)
    return row


async def get_recurring_invoice(
    record_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps
) -> RecurringInvoiceRow:
    require(ctx, INVOICES, "view")
    async with deps.uow() as uow:
        repo = ScheduleRepository(uow.session, tenant(ctx))
        return await repo.one(RecurringInvoiceRow, record_id)


async def list_recurring_invoices(
    ctx: AccessContext, deps: InventoryDeps, filters: ScheduleFilters, *, limit: int,
    cursor: str | None,
) -> Page[RecurringInvoiceRow]:  # fmt: skip
    require(ctx, INVOICES, "view")
    async with deps.uow() as uow:
        repo = ScheduleRepository(uow.session, tenant(ctx))
        return await repo.page(RecurringInvoiceRow, filters, limit=limit, cursor=cursor)


async def update_recurring_invoice(
    cmd: UpdateRecord, ctx: AccessContext, deps: InventoryDeps
) -> RecurringInvoiceRow:
    """Lines, notes and schedule fields for periods not yet billed; ``status``
    may only become ``cancelled``."""
    require(ctx, INVOICES, "edit")
    check_writable_fields(ctx, INVOICES, cmd.changes)
    changes = cmd.changes
    async with deps.uow() as uow:
        repo = ScheduleRepository(uow.session, tenant(ctx))
        row = await changeable(repo, RecurringInvoiceRow, cmd.record_id, cmd.expected_version)
        if "lines" in changes:
            lines.check_template_lines(changes["lines"], row.currency)
            row.lines = [lines.line_json(s) for s in changes["lines"]]
        if "notes" in changes:
            row.notes = changes["notes"]
        apply_schedule_changes(row, changes)
        if "status" in changes:
            if changes["status"] != rules.CANCELLED:
                raise InvalidArgument.for_field("status", "may only become cancelled")
            row.status = rules.CANCELLED
        row.updated_by = actor(ctx)
        await commit(uow)
    return row
