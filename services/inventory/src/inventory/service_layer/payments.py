"""Payments: received, allocated to one or more invoices of the account in one
transaction, read and listed (with the account's unallocated credit).

The invoices a payment touches are locked in id order (``lock_invoices``), so
two payments over the same invoices queue instead of deadlocking, and each
allocation is checked against the balance as it is under the lock: two
concurrent payments can never take an invoice below zero.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from crm.inventory.v1 import billing_pb2
from crm_common.access import AccessContext, require
from crm_common.db import UnitOfWork
from crm_common.events.envelope import NewEvent
from crm_common.pagination import Page
from inventory.adapters.billing_repository import BillingRepository
from inventory.adapters.orm_billing import AllocationRow, InvoiceRow, PaymentRow
from inventory.domain import invoices as rules
from inventory.domain import payments as pay
from inventory.domain.payments import PAYMENTS, NewPayment
from inventory.service_layer import transactions
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.invoices import invoice_event
from inventory.service_layer.shared import actor, commit, tenant


@dataclass(frozen=True)
class PaymentPage:
    page: Page[PaymentRow]
    credit: dict[str, Decimal] = field(default_factory=dict)  # per currency


async def create_payment(cmd: NewPayment, ctx: AccessContext, deps: InventoryDeps) -> PaymentRow:
    require(ctx, PAYMENTS, "create")
    unallocated = pay.check_payment(cmd)
    currency = cmd.currency.strip().upper()
    async with deps.uow() as uow:
        repo = BillingRepository(uow.session, tenant(ctx))
        invoices = await repo.lock_invoices(a.invoice_id for a in cmd.allocations)
        pay.check_allocations(cmd, invoices)
        payment = PaymentRow(
            id=uuid.uuid4(), tenant_id=repo.tenant_id, account_id=cmd.account_id,
            amount=cmd.amount, currency=currency, received_at=cmd.received_at,
            method=cmd.method, reference=cmd.reference.strip(), unallocated=unallocated,
            created_by=actor(ctx),
            allocations=[
                AllocationRow(tenant_id=repo.tenant_id, invoice_id=a.invoice_id, position=i,
                              amount=a.amount)
                for i, a in enumerate(cmd.allocations)
            ],
        )  # fmt: skip
        uow.session.add(payment)
        for allocation in cmd.allocations:
            settle(uow, invoices[allocation.invoice_id], ctx, paid=allocation.amount)
        await transactions.payment_received(uow, payment)
        uow.record(_received(payment, ctx))
        await commit(uow)
    return payment


async def get_payment(payment_id: uuid.UUID, ctx: AccessContext, deps: InventoryDeps) -> PaymentRow:
    require(ctx, PAYMENTS, "view")
    async with deps.uow() as uow:
        return await BillingRepository(uow.session, tenant(ctx)).payment(payment_id)


async def list_payments(
    ctx: AccessContext, deps: InventoryDeps, account_id: uuid.UUID | None,
    invoice_id: uuid.UUID | None, *, limit: int, cursor: str | None,
) -> PaymentPage:  # fmt: skip
    require(ctx, PAYMENTS, "view")
    async with deps.uow() as uow:
        repo = BillingRepository(uow.session, tenant(ctx))
        page = await repo.payment_page(account_id, invoice_id, limit=limit, cursor=cursor)
        credit = await repo.credit_of(account_id) if account_id else {}
    return PaymentPage(page, credit)


def settle(
    uow: UnitOfWork, invoice: InvoiceRow, ctx: AccessContext | None, *,
    paid: Decimal = Decimal(0), credited: Decimal = Decimal(0),
) -> None:  # fmt: skip
    """Apply a payment or a credit to a locked open invoice; paid once at zero."""
    invoice.amount_paid += paid
    invoice.amount_credited += credited
    invoice.balance = invoice.total - invoice.amount_paid - invoice.amount_credited
    invoice.status = rules.settled_status(invoice.status, invoice.balance)
    invoice.updated_by = actor(ctx) if ctx else None
    if invoice.status == rules.PAID:
        uow.record(invoice_event(rules.INVOICE_PAID, invoice, ctx))


def _received(payment: PaymentRow, ctx: AccessContext) -> NewEvent:
    c = payment.currency
    payload = billing_pb2.PaymentReceived(
        payment_id=str(payment.id), account_id=str(payment.account_id),
        amount=rules.wire(payment.amount, c), currency=c,
        unallocated=rules.wire(payment.unallocated, c),
        allocations=[
            billing_pb2.Allocation(invoice_id=str(a.invoice_id), amount=rules.wire(a.amount, c))
            for a in payment.allocations
        ],
    )  # fmt: skip
    who = ctx.user_id or ctx.api_key_id
    return NewEvent(pay.PAYMENT_RECEIVED, str(payment.tenant_id), str(payment.id), payload,
                    actor_id=who)  # fmt: skip
