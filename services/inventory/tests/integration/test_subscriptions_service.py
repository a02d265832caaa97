"""Subscriptions against real PostgreSQL: create/change/read with fields named
on bad input, tenancy and permissions; renewal once per term; cancel at period
end or at once stops generation; the transactions ledger follows invoices
issued, payments and credit notes."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from crm_common.access import AccessContext
from crm_common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    VersionConflict,
)
from crm_common.events.tables import OutboxMessage
from inventory.adapters.billing_repository import InvoiceFilters
from inventory.adapters.orm_subscriptions import BillingTransactionRow
from inventory.adapters.subscription_repository import ScheduleFilters
from inventory.domain import subscriptions as rules
from inventory.domain.commands import CreateRecord, UpdateRecord
from inventory.domain.invoices import InvoiceAction, InvoiceDraft, LineSpec, TaxSpec
from inventory.domain.payments import AllocationSpec, NewPayment
from inventory.domain.subscriptions import CancelSubscription
from inventory.service_layer import credit_notes, invoices, payments, recurring, subscriptions
from inventory.service_layer import transactions as ledger
from inventory.service_layer.credit_notes import NewCreditNote
from inventory.service_layer.deps import InventoryDeps

TODAY = datetime.now(UTC).date()
YEAR = TODAY.year


def admin(tenant: str | None = None) -> AccessContext:
    return AccessContext(
        tenant_id=tenant or str(uuid.uuid4()), user_id=str(uuid.uuid4()), all_records=True,
        permissions={"*": frozenset({"*"})},
    )  # fmt: skip


def values(**overrides: Any) -> dict[str, Any]:
    base = {
        "account_id": uuid.uuid4(), "description": "Support plan", "quantity": D(2),
        "price": D("100.00"), "currency": "EUR", "taxes": (TaxSpec("VAT", D(21)),),
        "period": "month", "start_date": date(YEAR, 1, 1),
    }  # fmt: skip
    return {**base, **overrides}


async def subscribe(deps: InventoryDeps, ctx: AccessContext, **overrides: Any):
    return await subscriptions.create_subscription(CreateRecord(values(**overrides)), ctx, deps)


async def account_invoices(deps: InventoryDeps, ctx: AccessContext, account_id: uuid.UUID):
    filters = InvoiceFilters(account_id=account_id)
    return (await invoices.list_invoices(ctx, deps, filters, limit=200, cursor=None)).items


async def events(deps: InventoryDeps, subject: str, ctx: AccessContext) -> int:
    """Of the test's own tenant (each test has one)."""
    async with deps.uow() as uow:
        stmt = sa.select(sa.func.count()).where(
            OutboxMessage.subject == subject, OutboxMessage.tenant_id == ctx.tenant_id
        )
        return int(await uow.session.scalar(stmt) or 0)


async def test_create_read_change_and_the_created_event(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    sub = await subscribe(inventory_deps, ctx, end_date=date(YEAR, 6, 30), auto_renew=True)
    assert (sub.status, sub.next_period_start, sub.term_periods) == ("active", date(YEAR, 1, 1), 6)
    assert (sub.invoice_mode, sub.payment_terms_days, sub.periods_billed) == ("draft", 30, 0)
    assert await events(inventory_deps, rules.SUBSCRIPTION_CREATED, ctx) == 1
    changed = await subscriptions.update_subscription(
        UpdateRecord(sub.id, {"price": D("120.00"), "invoice_mode": "issue"}, sub.version),
        ctx, inventory_deps,
    )  # fmt: skip
    assert (changed.price, changed.invoice_mode, changed.version) == (D("120.00"), "issue", 2)
    with pytest.raises(VersionConflict):
        await subscriptions.update_subscription(
            UpdateRecord(sub.id, {"description": "stale"}, sub.version), ctx, inventory_deps
        )
    got = await subscriptions.get_subscription(sub.id, ctx, inventory_deps)
    assert got.description == "Support plan" and got.version == 2
    page = await subscriptions.list_subscriptions(
        ctx, inventory_deps, ScheduleFilters(account_id=sub.account_id), limit=10, cursor=None
    )
    assert [s.id for s in page.items] == [sub.id]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"price": D("-1")}, "price"),
        ({"quantity": D(0)}, "quantity"),
        ({"period": "weekly"}, "period"),
        ({"invoice_mode": "send"}, "invoice_mode"),
        ({"currency": "EURO"}, "currency"),
        ({"end_date": date(YEAR - 1, 12, 31)}, "end_date"),
        ({"auto_renew": True}, "auto_renew"),
        ({"product_id": uuid.uuid4()}, "product_id"),
        ({"start_date": date(YEAR - 20, 1, 1)}, "start_date"),
        ({"description": "", "product_id": None}, "description"),
    ],
)
async def test_bad_input_names_the_field_and_stores_nothing(
    inventory_deps: InventoryDeps, overrides: dict[str, Any], field: str
) -> None:
    ctx = admin()
    with pytest.raises(InvalidArgument) as caught:
        await subscribe(inventory_deps, ctx, **overrides)
    assert field in {v.field for v in caught.value.violations}
    page = await subscriptions.list_subscriptions(
        ctx, inventory_deps, ScheduleFilters(), limit=10, cursor=None
    )
    assert page.items == []


async def test_tenancy_and_permissions(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    sub = await subscribe(inventory_deps, ctx)
    with pytest.raises(NotFound):
        await subscriptions.get_subscription(sub.id, admin(), inventory_deps)
    reader = AccessContext(
        tenant_id=ctx.tenant_id, user_id=str(uuid.uuid4()),
        permissions={"subscriptions": frozenset({"view"})},
    )  # fmt: skip
    assert (await subscriptions.get_subscription(sub.id, reader, inventory_deps)).id == sub.id
    with pytest.raises(PermissionDenied):
        await subscribe(inventory_deps, reader)
    with pytest.raises(PermissionDenied):
        await subscriptions.cancel_subscription(CancelSubscription(sub.id), reader, inventory_deps)


async def test_renewal_happens_once_per_term(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    sub = await subscribe(inventory_deps, ctx, end_date=date(YEAR, 2, 28), auto_renew=True)
    # Down until Mar 1: Jan and Feb billed, renewed for two months, Mar billed.
    await recurring.generate_due(inventory_deps.uow, date(YEAR, 3, 1))
    await recurring.generate_due(inventory_deps.uow, date(YEAR, 3, 1))
    got = await subscriptions.get_subscription(sub.id, ctx, inventory_deps)
    assert (got.end_date, got.periods_billed, got.status) == (date(YEAR, 4, 30), 3, "active")
    assert await events(inventory_deps, rules.SUBSCRIPTION_RENEWED, ctx) == 1
    assert len(await account_invoices(inventory_deps, ctx, sub.account_id)) == 3


async def test_without_renewal_it_ends_after_its_term(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    sub = await subscribe(inventory_deps, ctx, end_date=date(YEAR, 2, 15))
    await recurring.generate_due(inventory_deps.uow, date(YEAR, 6, 1))
    got = await subscriptions.get_subscription(sub.id, ctx, inventory_deps)
    assert (got.status, got.periods_billed) == ("ended", 2)  # Feb 1 started before Feb 15
    assert await events(inventory_deps, rules.SUBSCRIPTION_RENEWED, ctx) == 0
    with pytest.raises(FailedPrecondition):
        await subscriptions.update_subscription(
            UpdateRecord(sub.id, {"price": D(1)}), ctx, inventory_deps
        )


async def test_cancel_at_period_end_bills_the_current_period_then_stops(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    this_month = TODAY.replace(day=1)
    start = rules.period_start(this_month, "month", -2)
    sub = await subscribe(inventory_deps, ctx, start_date=start, auto_renew=False)
    cancelled = await subscriptions.cancel_subscription(
        CancelSubscription(sub.id, reason="moving on"), ctx, inventory_deps
    )
    assert cancelled.end_date == rules.period_end(this_month, "month", 0)
    assert cancelled.status == "active" and cancelled.cancelled_at is not None
    with pytest.raises(FailedPrecondition):
        await subscriptions.cancel_subscription(CancelSubscription(sub.id), ctx, inventory_deps)
    await recurring.generate_due(inventory_deps.uow, TODAY + timedelta(days=100))
    got = await subscriptions.get_subscription(sub.id, ctx, inventory_deps)
    assert (got.status, got.periods_billed) == ("cancelled", 3)
    assert len(await account_invoices(inventory_deps, ctx, sub.account_id)) == 3
    assert await events(inventory_deps, rules.SUBSCRIPTION_CANCELLED, ctx) == 1


async def test_cancel_immediately_stops_generation(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    sub = await subscribe(inventory_deps, ctx, start_date=TODAY - timedelta(days=1))
    cancelled = await subscriptions.cancel_subscription(
        CancelSubscription(sub.id, at="immediately"), ctx, inventory_deps
    )
    assert cancelled.status == "cancelled"
    await recurring.generate_due(inventory_deps.uow, TODAY + timedelta(days=100))
    assert await account_invoices(inventory_deps, ctx, sub.account_id) == []
    with pytest.raises(FailedPrecondition):
        await subscriptions.update_subscription(
            UpdateRecord(sub.id, {"price": D(1)}), ctx, inventory_deps
        )


async def test_the_ledger_follows_issues_payments_and_credits(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    sub = await subscribe(inventory_deps, ctx, invoice_mode="issue", end_date=date(YEAR, 2, 1))
    await recurring.generate_due(inventory_deps.uow, date(YEAR, 3, 1))
    first, second = sorted(
        await account_invoices(inventory_deps, ctx, sub.account_id), key=lambda i: i.number or ""
    )
    assert (first.status, first.total, second.total) == ("issued", D("242.00"), D("242.00"))
    payment = NewPayment(
        sub.account_id, D("242.00"), "EUR", datetime.now(UTC),
        allocations=(AllocationSpec(first.id, D("242.00")),),
    )  # fmt: skip
    await payments.create_payment(payment, ctx, inventory_deps)
    await credit_notes.create_credit_note(
        NewCreditNote(second.id, D("42.00"), "goodwill"), ctx, inventory_deps
    )
    page = await ledger.list_transactions(
        ctx, inventory_deps, ledger.TransactionFilters(subscription_id=sub.id), limit=50,
        cursor=None,
    )  # fmt: skip
    got = [(t.kind, t.invoice_id, t.amount) for t in page.items]
    assert got == [
        ("invoice_issued", first.id, D("242.00")), ("invoice_issued", second.id, D("242.00")),
        ("payment", first.id, D("-242.00")), ("credit_note", second.id, D("-42.00")),
    ]  # fmt: skip
    assert {t.subscription_id for t in page.items} == {sub.id}
    for invoice in (first, second):
        fresh = await invoices.get_invoice(invoice.id, ctx, inventory_deps)
        entries = [t.amount for t in page.items if t.invoice_id == invoice.id]
        assert sum(entries) == fresh.balance
    async with inventory_deps.uow() as uow:
        with pytest.raises(DBAPIError, match="append-only"):
            await uow.session.execute(
                sa.update(BillingTransactionRow)
                .where(BillingTransactionRow.invoice_id == first.id)
                .values(amount=0)
            )


async def test_a_voided_issued_invoice_leaves_the_ledger_at_zero(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    draft = InvoiceDraft(uuid.uuid4(), "EUR", (LineSpec("Work", D(1), D("80.00")),))
    invoice = await invoices.create_invoice(draft, ctx, inventory_deps)
    await invoices.issue_invoice(InvoiceAction(invoice.id), ctx, inventory_deps)
    voided = await invoices.void_invoice(InvoiceAction(invoice.id), ctx, inventory_deps)
    page = await ledger.list_transactions(
        ctx, inventory_deps, ledger.TransactionFilters(invoice_id=invoice.id), limit=50,
        cursor=None,
    )  # fmt: skip
    got = [(t.kind, t.amount, t.subscription_id) for t in page.items]
    assert got == [("invoice_issued", D("80.00"), None), ("invoice_voided", D("-80.00"), None)]
    assert sum(t.amount for t in page.items) == voided.balance == 0
