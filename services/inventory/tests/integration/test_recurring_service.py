"""The recurring generator against real PostgreSQL: each period's invoice exactly
once with generators racing, after a week and after months of downtime, past
the per-run bound; month-end clamping; recurring templates priced as invoices
drafted by hand; the unique (source, period) key."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from crm_common.access import AccessContext
from crm_common.errors import InvalidArgument
from inventory.adapters.billing_repository import InvoiceFilters
from inventory.adapters.orm_subscriptions import BillingPeriodRow
from inventory.domain import subscriptions as rules
from inventory.domain.commands import CreateRecord, UpdateRecord
from inventory.domain.invoices import InvoiceDraft, LineSpec, TaxSpec
from inventory.service_layer import invoices, recurring, recurring_invoices, subscriptions
from inventory.service_layer.deps import InventoryDeps

TODAY = datetime.now(UTC).date()
YEAR = TODAY.year


def admin() -> AccessContext:
    return AccessContext(
        tenant_id=str(uuid.uuid4()), user_id=str(uuid.uuid4()), all_records=True,
        permissions={"*": frozenset({"*"})},
    )  # fmt: skip


async def subscribe(deps: InventoryDeps, ctx: AccessContext, **overrides: Any):
    values = {
        "account_id": uuid.uuid4(), "description": "Hosting", "quantity": D(1),
        "price": D("49.90"), "currency": "EUR", "period": "month",
        "start_date": date(YEAR, 1, 10), **overrides,
    }  # fmt: skip
    return await subscriptions.create_subscription(CreateRecord(values), ctx, deps)


async def periods(deps: InventoryDeps, source_id: uuid.UUID) -> list[tuple[date, date]]:
    async with deps.uow() as uow:
        rows = await uow.session.execute(
            sa.select(BillingPeriodRow.period_start, BillingPeriodRow.period_end)
            .where(BillingPeriodRow.source_id == source_id)
            .order_by(BillingPeriodRow.period_start)
        )
        return [(row[0], row[1]) for row in rows]


async def account_invoices(deps: InventoryDeps, ctx: AccessContext, account_id: uuid.UUID):
    filters = InvoiceFilters(account_id=account_id)
    return (await invoices.list_invoices(ctx, deps, filters, limit=200, cursor=None)).items


async def test_generators_racing_bill_each_period_once(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    subs = [await subscribe(inventory_deps, ctx, invoice_mode="issue") for _ in range(6)]
    subs.append(await subscribe(inventory_deps, ctx, start_date=date(YEAR - 2, 1, 10)))
    today = date(YEAR, 4, 20)  # Jan 10, Feb 10, Mar 10, Apr 10 have started
    await asyncio.gather(*(recurring.generate_due(inventory_deps.uow, today) for _ in range(4)))
    for sub in subs[:6]:
        assert [s for s, _ in await periods(inventory_deps, sub.id)] == [
            date(YEAR, m, 10) for m in (1, 2, 3, 4)
        ]
        assert len(await account_invoices(inventory_deps, ctx, sub.account_id)) == 4
    long_running = await periods(inventory_deps, subs[6].id)
    assert len(long_running) == len(set(long_running)) == 28  # two years and four months
    numbers = []
    for sub in subs[:6]:
        numbers += [i.number for i in await account_invoices(inventory_deps, ctx, sub.account_id)]
    numbers.sort()
    assert numbers == [f"INV-{YEAR}-{n:06d}" for n in range(1, 25)]  # gapless


async def test_a_week_of_downtime_then_months_catch_up_once(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    sub = await subscribe(inventory_deps, ctx)
    await recurring.generate_due(inventory_deps.uow, date(YEAR, 1, 10))
    assert len(await periods(inventory_deps, sub.id)) == 1
    # Down from Feb 6 to Feb 13: the Feb 10 period is billed once when it is back.
    await recurring.generate_due(inventory_deps.uow, date(YEAR, 2, 5))
    await recurring.generate_due(inventory_deps.uow, date(YEAR, 2, 13))
    assert len(await periods(inventory_deps, sub.id)) == 2
    # Three months down: Mar, Apr, May, exactly once; again: nothing new.
    await recurring.generate_due(inventory_deps.uow, date(YEAR, 5, 10))
    assert len(await periods(inventory_deps, sub.id)) == 5
    await recurring.generate_due(inventory_deps.uow, date(YEAR, 5, 10))
    got = await account_invoices(inventory_deps, ctx, sub.account_id)
    assert len(got) == 5 and {i.status for i in got} == {"draft"}
    state = await subscriptions.get_subscription(sub.id, ctx, inventory_deps)
    assert (state.periods_billed, state.next_period_start) == (5, date(YEAR, 6, 10))


async def test_catch_up_goes_past_the_per_run_bound(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    start = date(YEAR - 9, 1, 1)
    sub = await subscribe(inventory_deps, ctx, start_date=start)
    today = date(YEAR, 6, 1)
    await recurring.generate_due(inventory_deps.uow, today)
    expected = rules.periods_through(start, "month", today)
    assert expected > recurring.MAX_PERIODS
    assert len(await periods(inventory_deps, sub.id)) == expected


async def test_month_end_is_clamped_and_anchored(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    sub = await subscribe(inventory_deps, ctx, start_date=date(2028, 1, 31))
    await recurring.generate_due(inventory_deps.uow, date(2028, 5, 1))
    assert await periods(inventory_deps, sub.id) == [
        (date(2028, 1, 31), date(2028, 2, 28)),
        (date(2028, 2, 29), date(2028, 3, 30)),
        (date(2028, 3, 31), date(2028, 4, 29)),
        (date(2028, 4, 30), date(2028, 5, 30)),
    ]
    descriptions = {
        i.lines[0].description for i in await account_invoices(inventory_deps, ctx, sub.account_id)
    }
    assert "Hosting (2028-02-29 to 2028-03-30)" in descriptions


async def test_the_period_key_refuses_a_second_invoice(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    sub = await subscribe(inventory_deps, ctx)
    await recurring.generate_due(inventory_deps.uow, date(YEAR, 1, 10))
    (invoice,) = await account_invoices(inventory_deps, ctx, sub.account_id)
    async with inventory_deps.uow() as uow:
        uow.session.add(
            BillingPeriodRow(
                tenant_id=sub.tenant_id, source_kind="subscription", source_id=sub.id,
                period_start=date(YEAR, 1, 10), period_end=date(YEAR, 2, 9),
                invoice_id=invoice.id,
            )
        )  # fmt: skip
        with pytest.raises(IntegrityError):
            await uow.commit()


async def test_a_template_bills_its_lines_like_a_hand_made_invoice(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    account = uuid.uuid4()
    lines = (
        LineSpec("Licence", D(3), D("19.99"), D(10), (TaxSpec("VAT", D(21)),)),
        LineSpec("Levy", D(1), D("2.345"), taxes=(TaxSpec("BTW", D(9), inclusive=True),)),
    )
    values = {"account_id": account, "currency": "EUR", "lines": lines, "period": "quarter",
              "start_date": date(YEAR, 1, 15), "notes": "Thanks"}  # fmt: skip
    template = await recurring_invoices.create_recurring_invoice(
        CreateRecord(values), ctx, inventory_deps
    )
    draft = InvoiceDraft(account, "EUR", lines)
    by_hand = await invoices.create_invoice(draft, ctx, inventory_deps)
    await recurring.generate_due(inventory_deps.uow, date(YEAR, 7, 14))  # Jan and Apr
    made = [
        i for i in await account_invoices(inventory_deps, ctx, account) if i.source == "recurring"
    ]
    assert len(made) == 2
    for invoice in made:
        assert (invoice.subtotal, invoice.tax_total, invoice.total) == (
            by_hand.subtotal, by_hand.tax_total, by_hand.total,
        )  # fmt: skip
        assert invoice.notes.startswith("Thanks\nRecurring invoice")
    stopped = await recurring_invoices.update_recurring_invoice(
        UpdateRecord(template.id, {"status": "cancelled"}), ctx, inventory_deps
    )
    assert stopped.status == "cancelled"
    await recurring.generate_due(inventory_deps.uow, date(YEAR + 1, 7, 14))
    assert len(await periods(inventory_deps, template.id)) == 2


async def test_a_template_needs_lines_named_on_error(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    for lines, field in (((), "lines"), ((LineSpec("x", D(1), D(-1)),), "lines[0].unit_price")):
        values = {"account_id": uuid.uuid4(), "currency": "EUR", "lines": lines,
                  "period": "month"}  # fmt: skip
        with pytest.raises(InvalidArgument) as caught:
            await recurring_invoices.create_recurring_invoice(
                CreateRecord(values), ctx, inventory_deps
            )
        assert field in {v.field for v in caught.value.violations}


async def test_future_starts_wait(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    sub = await subscribe(inventory_deps, ctx, start_date=TODAY + timedelta(days=3))
    await recurring.generate_due(inventory_deps.uow, TODAY)
    assert await periods(inventory_deps, sub.id) == []
