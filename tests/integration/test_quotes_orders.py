"""Quotes to orders through the gateway, priced by the real inventory service:
mixed tax rates (exclusive, inclusive, compound) and discounts against a
hand-computed table, the approval flow, accept -> order, confirm -> the event on
JetStream, and inventory's stock answer moving the order."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from crm.inventory.v1 import stock_events_pb2
from crm.sales.v1 import quotes_pb2
from crm_common.events.envelope import NewEvent, build_envelope
from tests.integration.access_matrix import unique
from tests.integration.access_org import Org, build_org
from tests.integration.api import Api
from tests.integration.conftest import Stack
from tests.integration.jetstream import find_event, publish_event

# Region NL. Rounding: half-up to the cent, per line, at each step (crm_common.pricing).
# line: list x qty, discount -> subtotal, discount, net, taxes, tax total, gross
EXPECTED_LINES = [
    # laptop: standard book 949.00 (not its own 999.99) x 3, -10%; BTW 21% exclusive
    ("949.00", "2847.00", "284.70", "2562.30", ["538.08"], "538.08", "3100.38"),
    # book: 24.95 x 7; BTW 9% exclusive: 174.65 x 0.09 = 15.7185
    ("24.95", "174.65", "0.00", "174.65", ["15.72"], "15.72", "190.37"),
    # gift box: 100.00 x 3 incl. 21% BTW, -5%: 285.00 / 1.21 = 235.537..; tax 49.46
    ("100.00", "300.00", "15.00", "235.54", ["49.46"], "49.46", "285.00"),
    # fridge: 450.00, -25%; BTW 21% = 70.875 -> 70.88; eco levy 2% compound on
    # 337.50 + 70.88 = 408.38 -> 8.1676 -> 8.17
    ("450.00", "450.00", "112.50", "337.50", ["70.88", "8.17"], "79.05", "416.55"),
]
EXPECTED_TOTALS = {
    "subtotal": "3771.65", "discount_total": "412.20", "net_total": "3309.99",
    "tax_total": "682.31", "gross_total": "3992.30", "currency": "EUR",
}  # fmt: skip


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return org.api.http.request(method, path, headers=org.headers(who), **kw)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _catalogue(org: Org) -> dict[str, str]:
    """Tax rates, four products and a standard EUR price book (the admin's)."""
    rates = [
        ("standard", "BTW hoog", "21", {}), ("reduced", "BTW laag", "9", {}),
        ("incl", "BTW hoog", "21", {"inclusive": True}),
        ("eco", "BTW hoog", "21", {"position": 1}),
        ("eco", "Eco levy", "2", {"position": 2, "compound": True}),
    ]  # fmt: skip
    for tax_class, name, rate, extra in rates:
        body = {"tax_class": tax_class, "region": "NL", "name": name, "rate": rate, **extra}
        _ok(_as(org, "admin", "POST", "/api/v1/tax-rates", json=body), 201)
    products = {}
    for key, price, tax_class in (
        ("laptop", "999.99", "standard"), ("book", "24.95", "reduced"),
        ("giftbox", "100.00", "incl"), ("fridge", "450.00", "eco"),
    ):  # fmt: skip
        # Not stock-tracked: inventory's own answer to the confirmed order is
        # "reserved" too, so it agrees with the answer this test publishes.
        body = {"sku": unique(key), "name": key, "unit_price": price, "currency": "EUR",
                "tax_class": tax_class, "stock_tracked": False}  # fmt: skip
        products[key] = _ok(_as(org, "admin", "POST", "/api/v1/products", json=body), 201)["id"]
    book = {"name": unique("EUR 2026"), "currency": "EUR", "is_standard": True,
            "entries": [{"product_id": products["laptop"], "list_price": "949.00"}]}  # fmt: skip
    _ok(_as(org, "admin", "POST", "/api/v1/price-books", json=book), 201)
    return products


def _wait_for_status(org: Org, order_id: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        order = _ok(_as(org, "rep", "GET", f"/api/v1/sales-orders/{order_id}"))
        if order["status"] == status or time.monotonic() > deadline:
            return dict(order)
        time.sleep(0.2)


def test_quote_to_order_with_mixed_taxes_approval_and_stock(org: Org, stack: Stack) -> None:
    products = _catalogue(org)
    account = _ok(_as(org, "rep", "POST", "/api/v1/accounts", json={"name": unique("Acme")}), 201)
    lines = [
        {"product_id": products["laptop"], "quantity": "3", "discount_percent": "10"},
        {"product_id": products["book"], "quantity": "7"},
        {"product_id": products["giftbox"], "quantity": "3", "discount_percent": "5"},
        {"product_id": products["fridge"], "quantity": "1", "discount_percent": "25"},
    ]
    body = {"name": "Kitchen and office", "account_id": account["id"], "currency": "EUR",
            "region": "nl", "lines": lines}  # fmt: skip
    quote = _ok(_as(org, "rep", "POST", "/api/v1/quotes", json=body), 201)
    got = [
        (line["list_price"], line["subtotal"], line["discount_amount"], line["net_amount"],
         [t["amount"] for t in line["taxes"]], line["tax_total"], line["gross_total"])
        for line in quote["lines"]
    ]  # fmt: skip
    assert got == EXPECTED_LINES
    assert quote["totals"] == EXPECTED_TOTALS
    assert (quote["status"], quote["approval_status"], quote["region"]) == (
        "draft",
        "required",
        "NL",
    )
    assert quote["number"].startswith("Q-") and quote["lines"][2]["taxes"][0]["inclusive"]

    path = f"/api/v1/quotes/{quote['id']}"
    assert _as(org, "rep", "POST", f"{path}/send").status_code == 409
    assert _ok(_as(org, "rep", "POST", f"{path}/request-approval"))["approval_status"] == "pending"
    assert _as(org, "rep", "POST", f"{path}/approve").status_code == 403
    approved = _ok(_as(org, "manager", "POST", f"{path}/approve", json={"reason": "strategic"}))
    assert (approved["approval_status"], approved["approved_by"]) == (
        "approved", org.ids["manager_id"],
    )  # fmt: skip
    assert _ok(_as(org, "rep", "POST", f"{path}/send"))["status"] == "sent"

    accepted = _ok(_as(org, "rep", "POST", f"{path}/accept"))
    order = accepted["order"]
    assert (
        accepted["quote"]["status"] == "accepted" and accepted["quote"]["order_id"] == order["id"]
    )
    assert (order["status"], order["quote_id"], order["totals"]) == (
        "draft", quote["id"], EXPECTED_TOTALS,
    )  # fmt: skip
    assert order["number"].startswith("SO-") and len(order["lines"]) == 4
    assert _as(org, "rep", "POST", f"{path}/accept").status_code == 409

    confirmed = _ok(_as(org, "rep", "POST", f"/api/v1/sales-orders/{order['id']}/confirm"))
    assert confirmed["status"] == "confirmed"
    event = asyncio.run(find_event(stack.infra.nats_url, "crm.sales.order.confirmed", order["id"]))
    payload = quotes_pb2.SalesOrderEvent()
    event.payload.Unpack(payload)
    assert [(item.product_id, item.quantity) for item in payload.lines] == [
        (line["product_id"], line["quantity"]) for line in lines
    ]

    reserved = stock_events_pb2.StockReserved(
        order_id=order["id"],
        lines=[stock_events_pb2.StockLine(product_id=item.product_id, quantity=item.quantity,
                                          warehouse_id="main") for item in payload.lines],
    )  # fmt: skip
    answer = NewEvent("crm.inventory.stock.reserved", org.tenant.id, order["id"], reserved)
    asyncio.run(publish_event(stack.infra.nats_url, build_envelope(answer, source="inventory")))
    now = _wait_for_status(org, order["id"], "reserved")
    assert [h["to_status"] for h in now["status_history"]] == ["draft", "confirmed", "reserved"]
    # A reserved order may be cancelled: inventory releases its reservations.
    assert _as(org, "rep", "POST", f"/api/v1/sales-orders/{order['id']}/cancel").status_code == 200


def test_inventory_errors_name_the_line(org: Org) -> None:
    account = _ok(_as(org, "rep", "POST", "/api/v1/accounts", json={"name": unique("Beta")}), 201)
    product = _ok(_as(org, "admin", "POST", "/api/v1/products", json={
        "sku": unique("eur-only"), "name": "EUR only", "unit_price": "5.00", "currency": "EUR",
    }), 201)  # fmt: skip
    missing = "00000000-0000-4000-8000-000000000000"
    body = {"name": "Bad", "account_id": account["id"], "currency": "EUR",
            "lines": [{"product_id": product["id"]}, {"product_id": missing}]}  # fmt: skip
    unknown = _as(org, "rep", "POST", "/api/v1/quotes", json=body)
    assert unknown.status_code == 422, unknown.text
    assert [e["field"] for e in unknown.json()["errors"]] == ["lines[1].product_id"]
    in_usd = {**body, "currency": "USD", "lines": [{"product_id": product["id"]}]}
    refused = _as(org, "rep", "POST", "/api/v1/quotes", json=in_usd)
    assert refused.status_code == 422, refused.text
    (error,) = refused.json()["errors"]
    assert error["field"] == "lines[0].product_id" and "USD" in error["message"]
    listed = _ok(_as(org, "rep", "GET", "/api/v1/quotes", params={"account_id": account["id"]}))
    assert listed["items"] == []
