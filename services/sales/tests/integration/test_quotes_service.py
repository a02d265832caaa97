"""Quote and order handlers against real PostgreSQL with a fake price source:
totals, line errors, the state machine, approval rules, accept -> order."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from crm.common.v1.events_pb2 import Envelope
from crm.sales.v1 import quotes_pb2
from crm_common.access import AccessContext
from crm_common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unavailable,
    VersionConflict,
)
from crm_common.events.envelope import parse_envelope
from crm_common.events.tables import OutboxMessage
from crm_common.pricing import Tax, line_total
from crm_devstack.net import free_port
from sales.adapters.inventory_client import InventoryPrices, inventory_channel
from sales.adapters.orm_quotes import QuoteRow
from sales.adapters.quote_repository import QuoteFilters
from sales.domain.commands import CreateRecord
from sales.domain.quote_commands import (
    CreateQuote,
    OrderAction,
    QuoteAction,
    ReplaceLines,
    UpdateQuote,
)
from sales.domain.quotes import LineInput, LineSpec, PricedLine, PriceRequest
from sales.service_layer import (
    accounts,
    orders,
    quote_approval,
    quote_expiry,
    quote_lines,
    quote_status,
    quotes,
)
from sales.service_layer.deps import SalesDeps

MODULES = ("quotes", "orders", "accounts", "contacts", "deals")
WORK = frozenset({"view", "create", "edit", "export"})
NL_21 = Tax("BTW hoog", Decimal(21))


class FakePrices:
    """Inventory's PriceQuote, with the same maths (crm_common.pricing)."""

    def __init__(self) -> None:
        self.products: dict[uuid.UUID, tuple[Decimal, list[Tax]]] = {}
        self.down = False

    def add(self, price: str, *taxes: Tax) -> str:
        product_id = uuid.uuid4()
        self.products[product_id] = (Decimal(price), list(taxes))
        return str(product_id)

    async def price(self, r: PriceRequest) -> PricedLine:
        if self.down:
            raise Unavailable("inventory is unavailable")
        if r.product_id not in self.products:
            raise NotFound("product not found")
        price, taxes = self.products[r.product_id]
        totals = line_total(
            price, r.quantity, r.currency, discount_percent=r.discount_percent,
            taxes=taxes if r.region else (),
        )  # fmt: skip
        return PricedLine(LineSpec(r.product_id, r.quantity, r.discount_percent), totals, None)


class Team:
    def __init__(self) -> None:
        self.tenant = str(uuid.uuid4())
        self.ids = {who: str(uuid.uuid4()) for who in ("manager", "rep", "peer", "admin")}

    def ctx(self, who: str) -> AccessContext:
        own = {"manager": {"manager", "rep", "peer"}}.get(who, {who})
        return AccessContext(
            tenant_id=self.tenant, user_id=self.ids[who], all_records=who == "admin",
            permissions=dict.fromkeys(MODULES, WORK), defaults=dict.fromkeys(MODULES, "private"),
            own_ids=frozenset(self.ids[o] for o in own),
        )  # fmt: skip


@pytest.fixture
def prices() -> FakePrices:
    return FakePrices()


@pytest.fixture
def qdeps(deps: SalesDeps, prices: FakePrices) -> SalesDeps:
    return dataclasses.replace(deps, pricing=prices)


async def _quote(deps: SalesDeps, team: Team, *lines: LineInput, **values: Any) -> Any:
    ctx = team.ctx("rep")
    account = await accounts.create_account(CreateRecord({"name": "Acme"}), ctx, deps)
    header = {"name": "Offer", "account_id": account.row.id, "currency": "EUR", "region": "NL"}
    return await quotes.create_quote(CreateQuote({**header, **values}, lines), ctx, deps)


async def _events(deps: SalesDeps, subject: str, subject_id: object) -> list[Envelope]:
    async with deps.uow() as uow:
        stmt = sa.select(OutboxMessage.payload).where(OutboxMessage.subject == subject)
        found = [parse_envelope(data) for data in await uow.session.scalars(stmt)]
    return [envelope for envelope in found if envelope.subject_id == str(subject_id)]


async def test_lines_are_priced_and_totals_are_their_sums(
    qdeps: SalesDeps, prices: FakePrices
) -> None:
    team = Team()
    laptop, book = prices.add("100.00", NL_21), prices.add("9.99", Tax("BTW laag", Decimal(9)))
    quote = await _quote(
        qdeps, team, LineInput(laptop, "3", "10"), LineInput(book, "2", "", " Manual ")
    )
    first, second = quote.lines
    # 300.00 - 30.00 = 270.00 net, 56.70 tax; 19.98 net, 1.80 tax
    assert (first.subtotal, first.discount_amount, first.net_amount) == (300, 30, 270)
    assert (first.tax_total, first.gross_total) == (Decimal("56.70"), Decimal("326.70"))
    assert first.taxes == [
        {"name": "BTW hoog", "rate": "21", "amount": "56.70", "inclusive": False, "compound": False}
    ]
    assert (second.net_amount, second.tax_total, second.description) == (
        Decimal("19.98"), Decimal("1.80"), "Manual",
    )  # fmt: skip
    row = quote.row
    assert (row.subtotal, row.discount_total, row.net_total) == (
        Decimal("319.98"), Decimal("30.00"), Decimal("289.98"),
    )  # fmt: skip
    assert (row.tax_total, row.gross_total) == (Decimal("58.50"), Decimal("348.48"))
    assert row.number.startswith(f"Q-{date.today().year}-") and len(row.number) == 12
    assert (row.status, row.approval_status) == ("draft", "not_required")
    again = await quotes.get_quote(row.id, team.ctx("manager"), qdeps)
    assert [line.product_id for line in again.lines] == [uuid.UUID(laptop), uuid.UUID(book)]


async def test_line_errors_name_every_line_and_store_nothing(
    qdeps: SalesDeps, prices: FakePrices
) -> None:
    team, known = Team(), prices.add("5.00")
    with pytest.raises(InvalidArgument) as bad:
        await _quote(qdeps, team, LineInput(known, "0"), LineInput("x", "1", "101"))
    assert [v.field for v in bad.value.violations] == [
        "lines[0].quantity", "lines[1].product_id", "lines[1].discount_percent",
    ]  # fmt: skip
    with pytest.raises(InvalidArgument) as unknown:
        await _quote(qdeps, team, LineInput(known), LineInput(str(uuid.uuid4())))
    assert [(v.field, v.message) for v in unknown.value.violations] == [
        ("lines[1].product_id", "unknown product")
    ]
    prices.down = True
    with pytest.raises(Unavailable):
        await _quote(qdeps, team, LineInput(known))
    listed = await quotes.list_quotes(
        team.ctx("admin"), qdeps, QuoteFilters(), limit=50, cursor=None
    )
    assert listed.items == []


async def test_discount_above_threshold_needs_a_managers_approval(
    qdeps: SalesDeps, prices: FakePrices
) -> None:
    team = Team()
    quote = await _quote(qdeps, team, LineInput(prices.add("50.00"), "1", "25"))
    act = QuoteAction(quote.row.id)
    assert quote.row.approval_status == "required"
    with pytest.raises(FailedPrecondition):
        await quote_status.send_quote(act, team.ctx("rep"), qdeps)
    pending = await quote_approval.request_approval(act, team.ctx("rep"), qdeps)
    assert pending.row.approval_status == "pending"
    assert len(await _events(qdeps, "crm.sales.quote.approval_requested", quote.row.id)) == 1
    with pytest.raises(PermissionDenied):  # the owner cannot approve their own discount
        await quote_approval.approve(act, team.ctx("rep"), qdeps)
    with pytest.raises(NotFound):  # a peer does not even see it
        await quote_approval.approve(act, team.ctx("peer"), qdeps)
    approved = await quote_approval.approve(act, team.ctx("manager"), qdeps)
    assert approved.row.approval_status == "approved"
    assert str(approved.row.approved_by) == team.ids["manager"]
    sent = await quote_status.send_quote(act, team.ctx("rep"), qdeps)
    assert sent.row.status == "sent"
    with pytest.raises(FailedPrecondition):  # only drafts change
        await quote_lines.replace_lines(ReplaceLines(quote.row.id, ()), team.ctx("rep"), qdeps)


async def test_new_lines_start_the_approval_over(qdeps: SalesDeps, prices: FakePrices) -> None:
    team, product = Team(), prices.add("10.00")
    quote = await _quote(qdeps, team, LineInput(product, "1", "30"))
    act = QuoteAction(quote.row.id)
    await quote_approval.request_approval(act, team.ctx("rep"), qdeps)
    rejected = await quote_approval.reject_approval(act, team.ctx("admin"), qdeps)
    assert rejected.row.approval_status == "rejected"
    await quote_approval.request_approval(act, team.ctx("rep"), qdeps)
    await quote_approval.approve(act, team.ctx("manager"), qdeps)
    again = ReplaceLines(quote.row.id, (LineInput(product, "2", "30"),))
    assert (await quote_lines.replace_lines(again, team.ctx("rep"), qdeps)).row.approval_status == (
        "required"
    )
    small = ReplaceLines(quote.row.id, (LineInput(product, "2", "20"),))
    changed = await quote_lines.replace_lines(small, team.ctx("rep"), qdeps)
    assert (changed.row.approval_status, changed.row.approved_by) == ("not_required", None)
    with pytest.raises(FailedPrecondition):
        await quote_approval.request_approval(act, team.ctx("rep"), qdeps)


async def test_accept_makes_the_order_and_confirm_publishes_its_lines(
    qdeps: SalesDeps, prices: FakePrices
) -> None:
    team = Team()
    quote = await _quote(qdeps, team, LineInput(prices.add("12.50", NL_21), "4"))
    act = QuoteAction(quote.row.id)
    with pytest.raises(FailedPrecondition):  # a draft is not accepted
        await quote_status.accept_quote(act, team.ctx("rep"), qdeps)
    await quote_status.send_quote(act, team.ctx("rep"), qdeps)
    accepted = await quote_status.accept_quote(act, team.ctx("rep"), qdeps)
    order = accepted.order.row
    assert accepted.quote.row.status == "accepted" and accepted.quote.row.order_id == order.id
    assert order.number.startswith(f"SO-{date.today().year}-")
    assert (order.status, order.gross_total, order.quote_id) == (
        "draft", Decimal("60.50"), quote.row.id,
    )  # fmt: skip
    assert [line.net_amount for line in accepted.order.lines] == [Decimal("50.00")]
    assert len(await _events(qdeps, "crm.sales.quote.accepted", quote.row.id)) == 1
    with pytest.raises(FailedPrecondition):
        await quote_status.accept_quote(act, team.ctx("rep"), qdeps)
    with pytest.raises(NotFound):
        await orders.get_order(order.id, team.ctx("peer"), qdeps)
    confirmed = await orders.confirm_order(OrderAction(order.id), team.ctx("rep"), qdeps)
    assert [h.to_status for h in confirmed.history] == ["draft", "confirmed"]
    (event,) = await _events(qdeps, "crm.sales.order.confirmed", order.id)
    payload = quotes_pb2.SalesOrderEvent()
    event.payload.Unpack(payload)
    assert [(i.product_id, i.quantity) for i in payload.lines] == [
        (str(quote.lines[0].product_id), "4")
    ]
    cancelled = await orders.cancel_order(OrderAction(order.id), team.ctx("manager"), qdeps)
    assert cancelled.row.status == "cancelled"


async def test_past_valid_until_is_not_accepted_and_expires_once(
    qdeps: SalesDeps, prices: FakePrices
) -> None:
    team = Team()
    quote = await _quote(qdeps, team, LineInput(prices.add("1.00")))
    act = QuoteAction(quote.row.id)
    await quote_status.send_quote(act, team.ctx("rep"), qdeps)
    async with qdeps.uow() as uow:
        yesterday = date.today() - timedelta(days=1)
        await uow.session.execute(
            sa.update(QuoteRow).where(QuoteRow.id == quote.row.id).values(valid_until=yesterday)
        )
        await uow.commit()
    with pytest.raises(FailedPrecondition):
        await quote_status.accept_quote(act, team.ctx("rep"), qdeps)
    assert await quote_expiry.expire_quotes(qdeps.uow, date.today()) >= 1
    assert await quote_expiry.expire_quotes(qdeps.uow, date.today()) == 0
    assert (await quotes.get_quote(quote.row.id, team.ctx("rep"), qdeps)).row.status == "expired"
    assert len(await _events(qdeps, "crm.sales.quote.expired", quote.row.id)) == 1


async def test_header_changes_and_reprice(qdeps: SalesDeps, prices: FakePrices) -> None:
    team = Team()
    quote = await _quote(qdeps, team, LineInput(prices.add("100.00", NL_21)))
    assert quote.row.tax_total == Decimal("21.00")
    no_region = UpdateQuote(quote.row.id, {"region": "", "name": "Renamed"}, quote.row.version)
    changed = await quotes.update_quote(no_region, team.ctx("rep"), qdeps)
    assert (changed.row.name, changed.row.tax_total, changed.row.gross_total) == (
        "Renamed", Decimal(0), Decimal("100.00"),
    )  # fmt: skip
    with pytest.raises(VersionConflict):
        stale = UpdateQuote(quote.row.id, {"name": "x"}, quote.row.version)
        await quotes.update_quote(stale, team.ctx("rep"), qdeps)
    with pytest.raises(InvalidArgument) as bad:
        await quotes.update_quote(
            UpdateQuote(quote.row.id, {"region": "Netherlands"}), team.ctx("rep"), qdeps
        )
    assert [v.field for v in bad.value.violations] == ["region"]
    product = next(iter(prices.products))
    prices.products[product] = (Decimal("80.00"), [NL_21])
    repriced = await quote_lines.reprice_quote(QuoteAction(quote.row.id), team.ctx("rep"), qdeps)
    assert repriced.row.net_total == Decimal("80.00")


async def test_unreachable_inventory_is_unavailable() -> None:
    channel = inventory_channel(f"127.0.0.1:{free_port()}", "secret")
    request = PriceRequest(uuid.uuid4(), Decimal(1), Decimal(0), "EUR", None, "", date.today())
    try:
        with pytest.raises(Unavailable):
            await InventoryPrices(channel).price(request)
    finally:
        await channel.close()
