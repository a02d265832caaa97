"""Payments against real PostgreSQL: one payment settling two invoices,
overpayment refused or kept as credit, allocations checked against balances
(also under concurrency), installment plans."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import AlreadyExists, InvalidArgument
from crm_common.events.tables import OutboxMessage
from inventory.domain.invoices import InvoiceAction, InvoiceDraft, LineSpec
from inventory.domain.payments import AllocationSpec, InstallmentSpec, NewPayment
from inventory.service_layer import installments, invoices, payments
from inventory.service_layer.deps import InventoryDeps
from inventory.service_layer.installments import NewPlan


def admin() -> AccessContext:
    return AccessContext(
        tenant_id=str(uuid.uuid4()), user_id=str(uuid.uuid4()), all_records=True,
        permissions={"*": frozenset({"*"})},
    )  # fmt: skip


async def issued(deps: InventoryDeps, ctx: AccessContext, account: uuid.UUID, amount: str):
    cmd = InvoiceDraft(account, "EUR", (LineSpec("Work", D(1), D(amount)),))
    invoice = await invoices.create_invoice(cmd, ctx, deps)
    return await invoices.issue_invoice(InvoiceAction(invoice.id), ctx, deps)


def payment(
    account: uuid.UUID, amount: str, *allocations: tuple[uuid.UUID, str], **kw
) -> NewPayment:
    return NewPayment(
        account, D(amount), "EUR", datetime.now(UTC), "bank_transfer", "REF-1",
        tuple(AllocationSpec(i, D(a)) for i, a in allocations), **kw,
    )  # fmt: skip


async def events(deps: InventoryDeps, ctx: AccessContext, subject: str) -> int:
    async with deps.uow() as uow:
        stmt = sa.select(sa.func.count()).where(
            OutboxMessage.subject == subject, OutboxMessage.tenant_id == ctx.tenant_id
        )
        return int(await uow.session.scalar(stmt) or 0)


async def test_one_payment_settles_two_invoices(inventory_deps: InventoryDeps) -> None:
    ctx, account = admin(), uuid.uuid4()
    first, second = [await issued(inventory_deps, ctx, account, a) for a in ("100.00", "50.00")]
    cmd = payment(account, "150.00", (first.id, "100.00"), (second.id, "50.00"))
    paid = await payments.create_payment(cmd, ctx, inventory_deps)
    assert paid.unallocated == 0 and len(paid.allocations) == 2
    for invoice_id in (first.id, second.id):
        found = await invoices.get_invoice(invoice_id, ctx, inventory_deps)
        assert (found.status, found.balance) == ("paid", D(0))
    assert await events(inventory_deps, ctx, "crm.inventory.invoice.paid") == 2
    assert await events(inventory_deps, ctx, "crm.inventory.payment.received") == 1


async def test_partial_payments_then_paid(inventory_deps: InventoryDeps) -> None:
    ctx, account = admin(), uuid.uuid4()
    invoice = await issued(inventory_deps, ctx, account, "100.00")
    await payments.create_payment(payment(account, "30.00", (invoice.id, "30.00")), ctx,
                                  inventory_deps)  # fmt: skip
    found = await invoices.get_invoice(invoice.id, ctx, inventory_deps)
    assert (found.status, found.amount_paid, found.balance) == ("partially_paid", D(30), D(70))
    await payments.create_payment(payment(account, "70.00", (invoice.id, "70.00")), ctx,
                                  inventory_deps)  # fmt: skip
    assert (await invoices.get_invoice(invoice.id, ctx, inventory_deps)).status == "paid"


async def test_overpayment_refused_or_kept_as_credit(inventory_deps: InventoryDeps) -> None:
    ctx, account = admin(), uuid.uuid4()
    invoice = await issued(inventory_deps, ctx, account, "80.00")
    with pytest.raises(InvalidArgument) as caught:
        await payments.create_payment(
            payment(account, "100.00", (invoice.id, "80.00")), ctx, inventory_deps
        )
    assert caught.value.violations[0].field == "amount"
    assert (await invoices.get_invoice(invoice.id, ctx, inventory_deps)).balance == D(80)
    kept = payment(account, "100.00", (invoice.id, "80.00"), keep_credit=True)
    assert (await payments.create_payment(kept, ctx, inventory_deps)).unallocated == D(20)
    listed = await payments.list_payments(ctx, inventory_deps, account, None, limit=10,
                                          cursor=None)  # fmt: skip
    assert listed.credit == {"EUR": D(20)} and len(listed.page.items) == 1


async def test_allocations_are_checked_and_nothing_changes(inventory_deps: InventoryDeps) -> None:
    ctx, account = admin(), uuid.uuid4()
    invoice = await issued(inventory_deps, ctx, account, "10.00")
    other_account = await issued(inventory_deps, ctx, uuid.uuid4(), "10.00")
    draft = await invoices.create_invoice(
        InvoiceDraft(account, "EUR", (LineSpec("x", D(1), D(1)),)), ctx, inventory_deps
    )
    cases = [
        (payment(account, "10.01", (invoice.id, "10.01")), "allocations[0].amount"),
        (payment(account, "10.00", (other_account.id, "10.00")), "allocations[0].invoice_id"),
        (payment(account, "1.00", (draft.id, "1.00")), "allocations[0].invoice_id"),
        (payment(account, "1.00", (uuid.uuid4(), "1.00")), "allocations[0].invoice_id"),
        (payment(account, "1.001", (invoice.id, "1.001")), "amount"),
    ]
    for cmd, field in cases:
        with pytest.raises(InvalidArgument) as caught:
            await payments.create_payment(cmd, ctx, inventory_deps)
        assert caught.value.violations[0].field == field
    assert (await invoices.get_invoice(invoice.id, ctx, inventory_deps)).balance == D(10)


async def test_concurrent_payments_never_take_a_balance_below_zero(
    inventory_deps: InventoryDeps,
) -> None:
    ctx, account = admin(), uuid.uuid4()
    a, b = [await issued(inventory_deps, ctx, account, "100.00") for _ in range(2)]
    # Opposite allocation orders: locking in id order keeps them from deadlocking.
    cmds = [payment(account, "60.00", (a.id, "30.00"), (b.id, "30.00")) for _ in range(3)]
    cmds += [payment(account, "60.00", (b.id, "30.00"), (a.id, "30.00")) for _ in range(3)]
    results = await asyncio.gather(
        *(payments.create_payment(c, ctx, inventory_deps) for c in cmds), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 3 and all(isinstance(r, InvalidArgument) for r in refused)
    for invoice_id in (a.id, b.id):
        found = await invoices.get_invoice(invoice_id, ctx, inventory_deps)
        assert (found.amount_paid, found.balance, found.status) == (D(90), D(10), "partially_paid")


async def test_installment_plan_tracks_each_installment(inventory_deps: InventoryDeps) -> None:
    ctx, account = admin(), uuid.uuid4()
    invoice = await issued(inventory_deps, ctx, account, "300.00")
    today = date.today()
    schedule = [(today - timedelta(days=10), "100.00"), (today - timedelta(days=1), "100.00"),
                (today + timedelta(days=30), "100.00")]  # fmt: skip
    specs = tuple(InstallmentSpec(d, D(a)) for d, a in schedule)
    with pytest.raises(InvalidArgument) as caught:
        await installments.create_plan(NewPlan(invoice.id, specs[:2]), ctx, inventory_deps)
    assert caught.value.violations[0].field == "installments"
    await payments.create_payment(payment(account, "150.00", (invoice.id, "150.00")), ctx,
                                  inventory_deps)  # fmt: skip
    plan = await installments.create_plan(NewPlan(invoice.id, specs), ctx, inventory_deps)
    assert [(s.paid_amount, s.status) for s in plan.states] == [
        (D(100), "paid"),
        (D(50), "overdue"),
        (D(0), "pending"),
    ]
    with pytest.raises(AlreadyExists):
        await installments.create_plan(NewPlan(invoice.id, specs), ctx, inventory_deps)
    page = await installments.list_plans(ctx, inventory_deps, invoice.id, limit=5, cursor=None)
    assert [s.status for s in page.items[0].states] == ["paid", "overdue", "pending"]
