"""Credit notes: the correction of an issued invoice (issued invoices never
change). A credit note takes the next gapless ``CN-<year>-000001`` number and
reduces the invoice's balance by its amount (at most the balance)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from crm.inventory.v1 import billing_pb2
from crm_common.access import AccessContext, require
from crm_common.errors import FailedPrecondition, InvalidArgument
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page
from inventory.adapters.billing_repository import BillingRepository
from inventory.adapters.orm_billing import CreditNoteRow
from inventory.domain import invoices as rules
from inventory.domain.invoices import INVOICES
from inventory.service_layer import transactions
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.invoice_numbers import CREDIT_NOTE, next_number
from inventory.service_layer.payments import settle
from inventory.service_layer.shared import actor, commit, tenant


@dataclass(frozen=True)
class NewCreditNote:
    invoice_id: uuid.UUID
    amount: Decimal
    reason: str


async def create_credit_note(
    cmd: NewCreditNote, ctx: AccessContext, deps: InventoryDeps
) -> CreditNoteRow:
    require(ctx, INVOICES, "edit")
    if not cmd.reason.strip():
        raise InvalidArgument.for_field("reason", "say why the invoice is credited")
    async with deps.uow() as uow:
        invoice = await BillingRepository(uow.session, tenant(ctx)).invoice(
            cmd.invoice_id, for_update=True
        )
        if invoice.status not in rules.OPEN:
            raise FailedPrecondition(f"a {invoice.status} invoice cannot be credited")
        rules.check_amount(cmd.amount, invoice.currency)
        if cmd.amount > invoice.balance:
            raise InvalidArgument.for_field("amount", "more than the invoice's balance")
        today = datetime.now(UTC).date()
        note = CreditNoteRow(
            id=uuid.uuid4(), tenant_id=invoice.tenant_id, invoice_id=invoice.id,
            account_id=invoice.account_id, currency=invoice.currency, amount=cmd.amount,
            reason=cmd.reason.strip(), issue_date=today, created_by=actor(ctx),
        )  # fmt: skip
        settle(uow, invoice, ctx, credited=cmd.amount)
        note.number = await next_number(uow.session, invoice.tenant_id, CREDIT_NOTE, today.year)
        uow.session.add(note)
        await transactions.credit_note_issued(uow, note)
        uow.record(_issued(note, ctx))
        await commit(uow)
    return note


async def list_credit_notes(
    ctx: AccessContext, deps: InventoryDeps, invoice_id: uuid.UUID | None, *, limit: int,
    cursor: str | None,
) -> Page[CreditNoteRow]:  # fmt: skip
    require(ctx, INVOICES, "view")
    async with deps.uow() as uow:
        repo = BillingRepository(uow.session, tenant(ctx))
        return await repo.credit_note_page(invoice_id, limit=limit, cursor=cursor)


def _issued(note: CreditNoteRow, ctx: AccessContext) -> NewEvent:
    payload = billing_pb2.CreditNoteIssued(
        credit_note_id=str(note.id), number=note.number, invoice_id=str(note.invoice_id),
        account_id=str(note.account_id), amount=rules.wire(note.amount, note.currency),
        currency=note.currency, reason=note.reason,
    )  # fmt: skip
    who = ctx.user_id or ctx.api_key_id
    return NewEvent(rules.CREDIT_NOTE_ISSUED, str(note.tenant_id), str(note.id), payload,
                    actor_id=who)  # fmt: skip
