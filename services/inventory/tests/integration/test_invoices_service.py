"""Invoices against real PostgreSQL: line totals against a hand-computed table,
drafts change and issued invoices do not, gapless numbers under 20 concurrent
issues, void, credit notes, tenancy."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from crm_common.access import AccessContext
from crm_common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from inventory.domain.commands import UpdateRecord
from inventory.domain.invoices import InvoiceAction, InvoiceDraft, LineSpec, TaxSpec
from inventory.service_layer import credit_notes, invoices
from inventory.service_layer.credit_notes import NewCreditNote
from inventory.service_layer.deps import InventoryDeps

YEAR = datetime.now(UTC).year
VAT21 = (TaxSpec("VAT", D("21")),)


def admin(tenant: str | None = None) -> AccessContext:
    return AccessContext(
        tenant_id=tenant or str(uuid.uuid4()), user_id=str(uuid.uuid4()), all_records=True,
        permissions={"*": frozenset({"*"})},
    )  # fmt: skip


def reader(tenant: str) -> AccessContext:
    return AccessContext(
        tenant_id=tenant, user_id=str(uuid.uuid4()), permissions={"invoices": frozenset({"view"})}
    )


async def draft(deps: InventoryDeps, ctx: AccessContext, *lines: LineSpec, currency: str = "EUR"):
    cmd = InvoiceDraft(uuid.uuid4(), currency, lines or (LineSpec("Work", D(1), D("100.00")),))
    return await invoices.create_invoice(cmd, ctx, deps)


# (currency, unit price, quantity, discount %, taxes) -> subtotal, discount, net,
# tax amounts, line total. Half-up to the minor unit, per line, at each step.
TABLE = [
    # inclusive 21%: 100.00 x 3 = 300.00, -5% = 285.00; net 285 / 1.21 = 235.537.. ->
    # tax round(0.21 x 235.537..) = 49.46, net = 285.00 - 49.46 = 235.54
    ("EUR", "100.00", "3", "5", (TaxSpec("BTW", D(21), inclusive=True),),
     ("300.00", "15.00", "235.54", ["49.46"], "285.00")),
    # exclusive 21% then a 2% levy compound on net + VAT: 450.00 -25% = 337.50;
    # 70.875 -> 70.88; (337.50 + 70.88) x 2% = 8.1676 -> 8.17
    ("EUR", "450.00", "1", "25", (TaxSpec("BTW", D(21)), TaxSpec("Eco", D(2), compound=True)),
     ("450.00", "112.50", "337.50", ["70.88", "8.17"], "416.55")),
    # KWD has 3 decimals: 1.2345 x 3 = 3.7035 -> 3.704; 5% = 0.1852 -> 0.185
    ("KWD", "1.2345", "3", "0", (TaxSpec("VAT", D(5)),),
     ("3.704", "0.000", "3.704", ["0.185"], "3.889")),
    # the .005 edge: 2.345 -> 2.35 (half-up, not to even); 21% = 0.4935 -> 0.49
    ("EUR", "2.345", "1", "0", VAT21, ("2.35", "0.00", "2.35", ["0.49"], "2.84")),
    # 12.5% of 10.10 = 1.2625 -> 1.26 (net 8.84); 0.05% of 8.84 = 0.00442 -> 0.00
    ("EUR", "10.10", "1", "12.5", (TaxSpec("Tiny", D("0.05")),),
     ("10.10", "1.26", "8.84", ["0.00"], "8.84")),
    # JPY has no decimals: 105 x 1, 10% = 10.5 -> 11
    ("JPY", "105", "1", "0", (TaxSpec("JCT", D(10)),), ("105", "0", "105", ["11"], "116")),
]  # fmt: skip


@pytest.mark.parametrize(("currency", "price", "qty", "disc", "taxes", "expected"), TABLE)
async def test_line_totals_match_the_hand_computed_table(
    inventory_deps: InventoryDeps, currency, price, qty, disc, taxes, expected
) -> None:
    line = LineSpec("Line", D(qty), D(price), D(disc), taxes)
    invoice = await draft(inventory_deps, admin(), line, currency=currency)
    row = invoice.lines[0]
    got = (row.subtotal, row.discount_amount, row.net_amount)
    assert got == tuple(D(x) for x in expected[:3])
    assert [D(t["amount"]) for t in row.taxes] == [D(x) for x in expected[3]]
    assert row.line_total == D(expected[4])
    assert (invoice.subtotal, invoice.total) == (D(expected[2]), D(expected[4]))
    assert invoice.tax_total == sum(D(x) for x in expected[3])


async def test_totals_are_sums_of_rounded_lines(inventory_deps: InventoryDeps) -> None:
    lines = [LineSpec(f"L{i}", D(1), D("0.125"), taxes=VAT21) for i in range(3)]
    invoice = await draft(inventory_deps, admin(), *lines)
    # each line: 0.125 -> 0.13; 21% = 0.0273 -> 0.03; line total 0.16
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D("0.39"), D("0.09"), D("0.48"))
    assert invoice.status == "draft" and invoice.number is None and invoice.balance == D("0.48")


async def test_bad_lines_are_named_and_nothing_is_stored(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    bad = (LineSpec("", D(0), D(-1), D(101)),)
    with pytest.raises(InvalidArgument) as caught:
        await draft(inventory_deps, ctx, *bad)
    fields = {v.field for v in caught.value.violations}
    assert fields == {"lines[0].description", "lines[0].quantity", "lines[0].unit_price",
                      "lines[0].discount"}  # fmt: skip
    page = await invoices.list_invoices(
        ctx, inventory_deps, invoices.InvoiceFilters(), limit=10, cursor=None
    )
    assert page.items == []


async def test_drafts_change_issued_invoices_do_not(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    invoice = await draft(inventory_deps, ctx)
    lines = [LineSpec("Consulting", D(2), D("50.00"), taxes=VAT21)]
    changed = await invoices.update_invoice(
        UpdateRecord(invoice.id, {"lines": lines, "notes": "thanks"}, invoice.version),
        ctx, inventory_deps,
    )  # fmt: skip
    assert (changed.total, changed.notes) == (D("121.00"), "thanks")
    issued = await invoices.issue_invoice(InvoiceAction(invoice.id), ctx, inventory_deps)
    assert issued.status == "issued" and issued.number == f"INV-{YEAR}-000001"
    assert issued.due_date == issued.issue_date + timedelta(days=30)
    assert issued.balance == D("121.00")
    with pytest.raises(FailedPrecondition):
        await invoices.update_invoice(
            UpdateRecord(invoice.id, {"notes": "late"}), ctx, inventory_deps
        )
    with pytest.raises(FailedPrecondition):
        await invoices.issue_invoice(InvoiceAction(invoice.id), ctx, inventory_deps)


async def test_twenty_concurrent_issues_get_gapless_numbers(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    drafts = [await draft(inventory_deps, ctx) for _ in range(20)]
    issued = await asyncio.gather(
        *(invoices.issue_invoice(InvoiceAction(d.id), ctx, inventory_deps) for d in drafts)
    )
    numbers = sorted(i.number for i in issued)
    assert numbers == [f"INV-{YEAR}-{n:06d}" for n in range(1, 21)]


async def test_a_failed_issue_gives_its_number_back(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    empty = await invoices.create_invoice(
        InvoiceDraft(uuid.uuid4(), "EUR", ()), ctx, inventory_deps
    )
    with pytest.raises(FailedPrecondition):
        await invoices.issue_invoice(InvoiceAction(empty.id), ctx, inventory_deps)
    ok = await draft(inventory_deps, ctx)
    issued = await invoices.issue_invoice(InvoiceAction(ok.id), ctx, inventory_deps)
    assert issued.number == f"INV-{YEAR}-000001"


async def test_void_only_without_documents(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    plain = await draft(inventory_deps, ctx)
    voided = await invoices.void_invoice(
        InvoiceAction(plain.id, reason="typo"), ctx, inventory_deps
    )
    assert voided.status == "void" and "typo" in voided.notes
    credited = await draft(inventory_deps, ctx)
    await invoices.issue_invoice(InvoiceAction(credited.id), ctx, inventory_deps)
    note = await credit_notes.create_credit_note(
        NewCreditNote(credited.id, D("10.00"), "discount agreed"), ctx, inventory_deps
    )
    assert note.number == f"CN-{YEAR}-000001"
    with pytest.raises(FailedPrecondition):
        await invoices.void_invoice(InvoiceAction(credited.id), ctx, inventory_deps)


async def test_credit_notes_reduce_the_balance_up_to_settling(
    inventory_deps: InventoryDeps,
) -> None:
    ctx = admin()
    invoice = await draft(inventory_deps, ctx)
    await invoices.issue_invoice(InvoiceAction(invoice.id), ctx, inventory_deps)
    with pytest.raises(InvalidArgument) as caught:
        await credit_notes.create_credit_note(
            NewCreditNote(invoice.id, D("100.01"), "too much"), ctx, inventory_deps
        )
    assert caught.value.violations[0].field == "amount"
    for amount in ("40.00", "60.00"):
        await credit_notes.create_credit_note(
            NewCreditNote(invoice.id, D(amount), "returned"), ctx, inventory_deps
        )
    settled = await invoices.get_invoice(invoice.id, ctx, inventory_deps)
    assert (settled.amount_credited, settled.balance, settled.status) == (D(100), D(0), "paid")
    page = await credit_notes.list_credit_notes(ctx, inventory_deps, invoice.id, limit=10,
                                                cursor=None)  # fmt: skip
    assert [n.number for n in page.items] == [f"CN-{YEAR}-000001", f"CN-{YEAR}-000002"]


async def test_access_and_tenancy(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    invoice = await draft(inventory_deps, ctx)
    found = await invoices.get_invoice(invoice.id, reader(ctx.tenant_id), inventory_deps)
    assert found.id == invoice.id
    with pytest.raises(PermissionDenied):
        await draft(inventory_deps, reader(ctx.tenant_id))
    with pytest.raises(NotFound):
        await invoices.get_invoice(invoice.id, admin(), inventory_deps)
