"""Price books, tax rates and PriceQuote against real PostgreSQL: which list price
applies on a date and for a quantity, which taxes for a region, tenancy."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal as D

import pytest

from crm_common.access import AccessContext
from crm_common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from inventory.adapters.price_book_repository import TaxRateFilters
from inventory.domain.commands import CreateRecord, CreateTaxRate, Entry, QuotePrice, UpdateRecord
from inventory.service_layer import price_books, products, quotes, tax_rates
from inventory.service_layer.deps import InventoryDeps


def admin() -> AccessContext:
    return AccessContext(
        tenant_id=str(uuid.uuid4()),
        user_id=str(uuid.uuid4()),
        all_records=True,
        permissions={"*": frozenset({"*"})},
    )


def rep(tenant: str) -> AccessContext:
    view = frozenset({"view"})
    return AccessContext(
        tenant_id=tenant,
        user_id=str(uuid.uuid4()),
        permissions={"products": view, "price_books": view},
    )


async def product(deps: InventoryDeps, ctx: AccessContext, **values: object) -> uuid.UUID:
    base = {"sku": uuid.uuid4().hex[:10], "name": "Widget", "unit_price": D("100.00")}
    cmd = CreateRecord({**base, "currency": "EUR", **values})
    return (await products.create_product(cmd, ctx, deps)).row.id


async def book(deps: InventoryDeps, ctx: AccessContext, **values: object) -> uuid.UUID:
    cmd = CreateRecord({"name": "Book", "currency": "USD", "is_standard": True, **values})
    return (await price_books.create_price_book(cmd, ctx, deps)).row.id


async def rate(deps: InventoryDeps, ctx: AccessContext, region: str, pct: str, **kw: object):
    cmd = CreateTaxRate(
        **{"tax_class": "standard", "name": "VAT", **kw}, region=region, rate=D(pct)
    )
    return await tax_rates.create_tax_rate(cmd, ctx, deps)


async def quote(deps: InventoryDeps, ctx: AccessContext, product_id: uuid.UUID, **kw: object):
    return await quotes.price_quote(QuotePrice(product_id, **kw), ctx, deps)


async def test_product_price_with_discount_and_vat(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    pid = await product(inventory_deps, ctx)
    await rate(inventory_deps, ctx, "NL", "21.00")
    got = await quote(
        inventory_deps, rep(ctx.tenant_id), pid, quantity=D(2), region="nl",
        discount_percent=D(10),
    )  # fmt: skip
    t = got.totals
    assert (t.currency, t.list_price, t.subtotal, t.discount, t.net) == (
        "EUR", D("100.00"), D("200.00"), D("20.00"), D("180.00"),
    )  # fmt: skip
    assert [(x.name, x.amount) for x in t.taxes] == [("VAT", D("37.80"))]
    assert (t.tax_total, t.gross, got.price_book_id, got.region) == (
        D("37.80"), D("217.80"), None, "NL",
    )  # fmt: skip
    no_region = await quote(inventory_deps, ctx, pid)
    assert no_region.totals.taxes == () and no_region.totals.gross == D("100.00")
    with pytest.raises(FailedPrecondition, match="USD"):
        await quote(inventory_deps, ctx, pid, currency="USD")


async def test_standard_book_by_date_and_quantity_tier(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    pid = await product(inventory_deps, ctx)
    first_half = await book(
        inventory_deps, ctx, valid_from=date(2026, 1, 1), valid_to=date(2026, 6, 30),
        entries=[Entry(pid, D("120.00")), Entry(pid, D("100.00"), D(10))],
    )  # fmt: skip
    second_half = await book(
        inventory_deps, ctx, valid_from=date(2026, 7, 1), entries=[Entry(pid, D("130.00"))]
    )
    march = await quote(inventory_deps, ctx, pid, currency="USD", on=date(2026, 3, 1))
    assert (march.totals.list_price, march.price_book_id) == (D("120.00"), first_half)
    bulk = await quote(
        inventory_deps, ctx, pid, currency="USD", on=date(2026, 3, 1), quantity=D(12)
    )
    assert (bulk.totals.list_price, bulk.totals.subtotal) == (D("100.00"), D("1200.00"))
    july = await quote(inventory_deps, ctx, pid, currency="USD", on=date(2026, 7, 1))
    assert (july.totals.list_price, july.price_book_id) == (D("130.00"), second_half)
    with pytest.raises(FailedPrecondition, match="USD"):
        await quote(inventory_deps, ctx, pid, currency="USD", on=date(2025, 12, 31))
    eur = await quote(inventory_deps, ctx, pid, on=date(2026, 3, 1))  # no EUR book: own price
    assert (eur.totals.list_price, eur.price_book_id) == (D("100.00"), None)


async def test_named_book_must_fit(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    pid, other = await product(inventory_deps, ctx), await product(inventory_deps, ctx)
    partner = await book(
        inventory_deps, ctx, currency="EUR", is_standard=False, valid_to=date(2026, 12, 31),
        entries=[Entry(pid, D("80.00"))],
    )  # fmt: skip
    on = date(2026, 5, 1)
    got = await quote(inventory_deps, ctx, pid, price_book_id=partner, on=on)
    assert (got.totals.list_price, got.price_book_id) == (D("80.00"), partner)
    for kw, message in (
        ({"currency": "USD"}, "EUR"),
        ({"on": date(2027, 1, 1)}, "2027-01-01"),
    ):
        with pytest.raises(FailedPrecondition, match=message):
            await quote(inventory_deps, ctx, pid, price_book_id=partner, **{"on": on, **kw})
    with pytest.raises(FailedPrecondition):
        await quote(inventory_deps, ctx, other, price_book_id=partner, on=on)
    await price_books.update_price_book(
        UpdateRecord(partner, {"active": False}), ctx, inventory_deps
    )
    with pytest.raises(FailedPrecondition):
        await quote(inventory_deps, ctx, pid, price_book_id=partner, on=on)
    with pytest.raises(NotFound):  # another tenant's book
        await quote(inventory_deps, admin(), pid, price_book_id=partner, on=on)


async def test_country_and_subdivision_taxes_compound(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    pid = await product(inventory_deps, ctx, currency="USD")
    await rate(inventory_deps, ctx, "US", "1", name="Federal", position=1)
    await rate(inventory_deps, ctx, "US-CA", "7.25", name="State", position=2, compound=True)
    await rate(inventory_deps, ctx, "US-CA", "50", tax_class="luxury", name="Lux")
    ca = await quote(inventory_deps, ctx, pid, region="US-CA")
    # 1% of 100.00 = 1.00; 7.25% of 101.00 = 7.3225 -> 7.32
    assert [(x.name, x.amount) for x in ca.totals.taxes] == [("Federal", D("1.00")),
                                                          ("State", D("7.32"))]  # fmt: skip
    assert ca.totals.gross == D("108.32")
    ny = await quote(inventory_deps, ctx, pid, region="US-NY")
    assert [x.name for x in ny.totals.taxes] == ["Federal"]


async def test_inclusive_prices_and_zero_decimal_currency(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    pid = await product(inventory_deps, ctx, unit_price=D("121.00"), tax_class="gross")
    await rate(inventory_deps, ctx, "NL", "21", tax_class="gross", inclusive=True)
    got = await quote(inventory_deps, ctx, pid, region="NL")
    assert (got.totals.net, got.totals.tax_total, got.totals.gross) == (
        D("100.00"), D("21.00"), D("121.00"),
    )  # fmt: skip
    yen = await product(inventory_deps, ctx, unit_price=D("333"), currency="JPY")
    got = await quote(inventory_deps, ctx, yen, quantity=D(3), discount_percent=D(10))
    assert (got.totals.subtotal, got.totals.discount, got.totals.net) == (D(999), D(100), D(899))


async def test_tax_rates_are_for_administrators(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    with pytest.raises(PermissionDenied):
        await rate(inventory_deps, rep(ctx.tenant_id), "NL", "21")
    with pytest.raises(InvalidArgument) as caught:
        await rate(inventory_deps, ctx, "Netherlands", "121.123456")
    assert {v.field for v in caught.value.violations} == {"region", "rate"}
    made = await rate(inventory_deps, ctx, "nl", "9")
    assert made.region == "NL"
    listed = await tax_rates.list_tax_rates(
        rep(ctx.tenant_id), inventory_deps, TaxRateFilters(region="NL"), limit=50, cursor=None
    )
    assert [r.id for r in listed.items] == [made.id]
    with pytest.raises(NotFound):
        await tax_rates.delete_tax_rate(made.id, admin(), inventory_deps)
    await tax_rates.delete_tax_rate(made.id, ctx, inventory_deps)
    listed = await tax_rates.list_tax_rates(
        ctx, inventory_deps, TaxRateFilters(), limit=50, cursor=None
    )
    assert listed.items == []


async def test_price_book_rules(inventory_deps: InventoryDeps) -> None:
    ctx = admin()
    pid = await product(inventory_deps, ctx)
    foreign = await product(inventory_deps, admin())
    cases = [
        ({"valid_from": date(2026, 2, 1), "valid_to": date(2026, 1, 1)}, "valid_to"),
        ({"entries": [Entry(foreign, D(1))]}, "entries"),
        ({"entries": [Entry(pid, D(1)), Entry(pid, D(2))]}, "entries"),
        ({"currency": "EURO"}, "currency"),
    ]
    for values, field in cases:
        with pytest.raises(InvalidArgument) as caught:
            await book(inventory_deps, ctx, **values)
        assert caught.value.violations[0].field == field
    book_id = await book(inventory_deps, ctx, entries=[Entry(pid, D(5))])
    changed = await price_books.update_price_book(
        UpdateRecord(book_id, {"entries": [Entry(pid, D(6)), Entry(pid, D(4), D(5))]}, 1),
        ctx,
        inventory_deps,
    )
    assert [(e.list_price, e.min_quantity) for e in changed.row.entries] == [
        (D(6), D(1)), (D(4), D(5)),
    ]  # fmt: skip
    with pytest.raises(NotFound):
        await price_books.get_price_book(book_id, admin(), inventory_deps)
