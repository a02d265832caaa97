"""Invoices: draft by hand, read, list, change a draft, issue (the gapless number),
void. Issued invoices never change; credit notes correct them.

Billing belongs to the tenant: module ``invoices`` decides, there is no record
owner. One unit of work per handler: the change and its event commit together.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from crm.inventory.v1 import billing_pb2
from crm_common.access import AccessContext, require
from crm_common.db import UnitOfWork
from crm_common.errors import FailedPrecondition, VersionConflict
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page
from inventory.adapters.billing_repository import BillingRepository, InvoiceFilters
from inventory.adapters.orm_billing import InvoiceLineRow, InvoiceRow
from inventory.domain import invoices as rules
from inventory.domain.commands import UpdateRecord
from inventory.domain.invoices import INVOICES, InvoiceAction, InvoiceDraft, LineSpec
from inventory.service_layer import transactions
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.invoice_numbers import INVOICE, next_number
from inventory.service_layer.shared import actor, commit, tenant

UPDATABLE = frozenset(
    {"account_id", "currency", "lines", "payment_terms_days", "due_date", "notes"}
)


async def create_invoice(cmd: InvoiceDraft, ctx: AccessContext, deps: InventoryDeps) -> InvoiceRow:
    require(ctx, INVOICES, "create")
    async with deps.uow() as uow:
        invoice = stage_draft(uow, tenant(ctx), cmd, rules.MANUAL, ctx)
        await commit(uow)
    return invoice


async def get_invoice(invoice_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps) -> InvoiceRow:
    require(ctx, INVOICES, "view")
    async with deps.uow() as uow:
        return await BillingRepository(uow.session, tenant(ctx)).invoice(invoice_id)


async def list_invoices(
    ctx: AccessContext, deps: InventoryDeps, filters: InvoiceFilters, *, limit: int,
    cursor: str | None,
) -> Page[InvoiceRow]:  # fmt: skip
    require(ctx, INVOICES, "view")
    async with deps.uow() as uow:
        repo = BillingRepository(uow.session, tenant(ctx))
        return await repo.invoice_page(filters, limit=limit, cursor=cursor)


async def update_invoice(cmd: UpdateRecord, ctx: AccessContext, deps: InventoryDeps) -> InvoiceRow:
    require(ctx, INVOICES, "edit")
    changes = dict(cmd.changes)
    async with deps.uow() as uow:
        invoice = await _editable(uow, ctx, InvoiceAction(cmd.record_id, cmd.expected_version))
        rules.require_draft(invoice.status)
        if "currency" in changes:
            changes["currency"] = rules.check_currency(changes["currency"])
        if "payment_terms_days" in changes:
            rules.check_terms(changes["payment_terms_days"])
        lines = changes.pop("lines", None)
        for name, value in changes.items():
            setattr(invoice, name, value)
        if lines is not None or "currency" in changes:
            specs = lines if lines is not None else [rules.spec_of(x) for x in invoice.lines]
            set_lines(invoice, specs)
        invoice.updated_by = actor(ctx)
        await commit(uow)
    return invoice


async def issue_invoice(cmd: InvoiceAction, ctx: AccessContext, deps: InventoryDeps) -> InvoiceRow:
    """Draft -> issued with the next number of the tenant and year (taken last)."""
    require(ctx, INVOICES, "edit")
    async with deps.uow() as uow:
        invoice = await _editable(uow, ctx, cmd)
        await stage_issue(uow, invoice, ctx, datetime.now(UTC).date())
        await commit(uow)
    return invoice


async def stage_issue(
    uow: UnitOfWork, invoice: InvoiceRow, ctx: AccessContext | None, today: date
) -> None:
    """Issue a draft inside the caller's unit of work (also the recurring
    generator's): dates, the ledger entry, the number (taken last), the event."""
    rules.require_draft(invoice.status)
    if not invoice.lines:
        raise FailedPrecondition("an invoice without lines cannot be issued")
    invoice.due_date = rules.due_on(today, invoice.payment_terms_days, invoice.due_date)
    invoice.issue_date, invoice.status = today, rules.ISSUED
    invoice.balance, invoice.updated_by = invoice.total, actor(ctx) if ctx else None
    await transactions.invoice_issued(uow, invoice)
    invoice.number = await next_number(uow.session, invoice.tenant_id, INVOICE, today.year)
    uow.record(invoice_event(rules.INVOICE_ISSUED, invoice, ctx))


async def void_invoice(cmd: InvoiceAction, ctx: AccessContext, deps: InventoryDeps) -> InvoiceRow:
    """Only an invoice nothing was paid or credited against (409 otherwise)."""
    require(ctx, INVOICES, "edit")
    async with deps.uow() as uow:
        invoice = await _editable(uow, ctx, cmd)
        repo = BillingRepository(uow.session, invoice.tenant_id)
        if invoice.status not in (rules.DRAFT, rules.ISSUED, rules.OVERDUE):
            raise FailedPrecondition(f"a {invoice.status} invoice cannot be voided")
        if await repo.has_documents(invoice.id):
            raise FailedPrecondition("payments or credit notes refer to it; credit it instead")
        if invoice.status != rules.DRAFT:  # the ledger took its total when it was issued
            await transactions.invoice_voided(uow, invoice)
        invoice.status, invoice.balance, invoice.updated_by = rules.VOID, Decimal(0), actor(ctx)
        invoice.notes = _with_reason(invoice.notes, cmd.reason)
        uow.record(invoice_event(rules.INVOICE_VOIDED, invoice, ctx))
        await commit(uow)
    return invoice


def stage_draft(
    uow: UnitOfWork, tenant_id: uuid.UUID, cmd: InvoiceDraft, source: str,
    ctx: AccessContext | None,
) -> InvoiceRow:  # fmt: skip
    """A new draft added to the unit of work, with its drafted event."""
    currency = rules.check_currency(cmd.currency)
    terms = rules.check_terms(
        rules.DEFAULT_TERMS_DAYS if cmd.payment_terms_days is None else cmd.payment_terms_days
    )
    invoice = InvoiceRow(
        id=uuid.uuid4(), tenant_id=tenant_id, account_id=cmd.account_id, order_id=cmd.order_id,
        deal_id=cmd.deal_id, source=source, currency=currency, status=rules.DRAFT,
        payment_terms_days=terms, due_date=cmd.due_date, notes=cmd.notes,
        amount_paid=Decimal(0), amount_credited=Decimal(0), created_by=actor(ctx) if ctx else None,
    )  # fmt: skip
    set_lines(invoice, cmd.lines)
    uow.session.add(invoice)
    uow.record(invoice_event(rules.INVOICE_DRAFTED, invoice, ctx))
    return invoice


def set_lines(invoice: InvoiceRow, specs: Sequence[LineSpec]) -> None:
    """Price every line by the one rounding rule; totals are their sums."""
    rules.check_lines(specs, invoice.currency)
    priced = [(spec, rules.price(spec, invoice.currency)) for spec in specs]
    invoice.lines = [
        InvoiceLineRow(tenant_id=invoice.tenant_id, position=i, **rules.line_values(spec, totals))
        for i, (spec, totals) in enumerate(priced)
    ]
    invoice.subtotal, invoice.tax_total, invoice.total = rules.sums([t for _, t in priced])
    invoice.balance = invoice.total


async def _editable(uow: UnitOfWork, ctx: AccessContext, cmd: InvoiceAction) -> InvoiceRow:
    repo = BillingRepository(uow.session, tenant(ctx))
    invoice = await repo.invoice(cmd.invoice_id, for_update=True)
    if cmd.expected_version and cmd.expected_version != invoice.version:
        raise VersionConflict(f"invoice is at version {invoice.version}")
    return invoice


def _with_reason(notes: str, reason: str) -> str:
    return f"{notes}\nVoided: {reason}".strip() if reason.strip() else notes


def invoice_event(subject: str, invoice: InvoiceRow, ctx: AccessContext | None) -> NewEvent:
    """Ids and figures only (InvoiceEvent in billing.proto)."""
    who = (ctx.user_id or ctx.api_key_id) if ctx else ""
    c = invoice.currency
    payload = billing_pb2.InvoiceEvent(
        invoice_id=str(invoice.id), number=invoice.number or "",
        account_id=str(invoice.account_id), order_id=_id(invoice.order_id),
        deal_id=_id(invoice.deal_id), source=invoice.source, status=invoice.status, currency=c,
        total=rules.wire(invoice.total, c), amount_paid=rules.wire(invoice.amount_paid, c),
        balance=rules.wire(invoice.balance, c), issue_date=_day(invoice.issue_date),
        due_date=_day(invoice.due_date), actor_id=who,
    )  # fmt: skip
    return NewEvent(subject, str(invoice.tenant_id), str(invoice.id), payload, actor_id=who)


def _id(value: uuid.UUID | None) -> str:
    return str(value) if value else ""


def _day(value: Any) -> str:
    return value.isoformat() if value else ""
