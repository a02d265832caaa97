"""Billing end to end through the gateway, with identity, sales and inventory as
real processes: a confirmed sales order and a won deal draft invoices (events);
invoices are issued, paid across two at once, credited, scheduled; money is
decimal strings throughout."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.integration.access_matrix import unique
from tests.integration.access_org import Org, build_org
from tests.integration.api import Api

YEAR = datetime.now(UTC).year


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    return org.api.http.request(method, path, headers=org.headers(who), **kw)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _drafted(org: Org, **params: str) -> dict[str, Any]:
    """The invoice an event drafts, polled (bounded: 30 s)."""
    for _ in range(60):
        items = _ok(_as(org, "admin", "GET", "/api/v1/invoices", params=params))["items"]
        if items:
            assert len(items) == 1, items
            return dict(items[0])
        time.sleep(0.5)
    raise AssertionError(f"no invoice drafted for {params}")


def test_a_confirmed_order_drafts_its_invoice(org: Org) -> None:
    rate = {"tax_class": "billing", "region": "NL", "name": "BTW", "rate": "21"}
    _ok(_as(org, "admin", "POST", "/api/v1/tax-rates", json=rate), 201)
    product = {"sku": unique("desk"), "name": "Desk", "unit_price": "199.99", "currency": "EUR",
               "tax_class": "billing"}  # fmt: skip
    product_id = _ok(_as(org, "admin", "POST", "/api/v1/products", json=product), 201)["id"]
    account = _ok(_as(org, "rep", "POST", "/api/v1/accounts", json={"name": unique("Acme")}), 201)
    line = {"product_id": product_id, "quantity": "3", "discount_percent": "10"}
    body = {"name": "Desks", "account_id": account["id"], "currency": "EUR", "region": "NL",
            "lines": [line]}  # fmt: skip
    quote = _ok(_as(org, "rep", "POST", "/api/v1/quotes", json=body), 201)
    _ok(_as(org, "rep", "POST", f"/api/v1/quotes/{quote['id']}/send"))
    order = _ok(_as(org, "rep", "POST", f"/api/v1/quotes/{quote['id']}/accept"))["order"]
    _ok(_as(org, "rep", "POST", f"/api/v1/sales-orders/{order['id']}/confirm"))

    invoice = _drafted(org, order_id=order["id"])
    # 199.99 x 3 = 599.97, -10% = 59.997 -> 60.00: net 539.97; 21% = 113.3937 -> 113.39
    assert (invoice["status"], invoice["source"], invoice["number"]) == ("draft", "order", None)
    assert invoice["account_id"] == account["id"] and invoice["currency"] == "EUR"
    assert (invoice["subtotal"], invoice["tax_total"], invoice["total"]) == (
        "539.97", "113.39", "653.36",
    )  # fmt: skip
    assert invoice["total"] == order["totals"]["gross_total"]
    (got,) = invoice["lines"]
    assert (got["product_id"], got["quantity"], got["unit_price"], got["discount"]) == (
        product_id, "3", "199.99", "10",
    )  # fmt: skip
    assert [(t["name"], t["rate"], t["amount"]) for t in got["taxes"]] == [("BTW", "21", "113.39")]
    assert _as(org, "rep", "GET", f"/api/v1/invoices/{invoice['id']}").status_code == 403


def test_a_won_deal_drafts_an_invoice(org: Org) -> None:
    pipelines = _ok(_as(org, "rep", "GET", "/api/v1/pipelines"))["items"]
    default = next(p for p in pipelines if p.get("is_default")) if pipelines else None
    assert default, pipelines
    won = next(s["id"] for s in default["stages"] if s["kind"] == "won")
    account = _ok(_as(org, "rep", "POST", "/api/v1/accounts", json={"name": unique("Won")}), 201)
    body = {"name": unique("deal"), "amount": "2500.00", "currency": "USD",
            "account_id": account["id"], "pipeline_id": default["id"]}  # fmt: skip
    deal = _ok(_as(org, "rep", "POST", "/api/v1/deals", json=body), 201)
    _ok(_as(org, "rep", "PATCH", f"/api/v1/deals/{deal['id']}", json={"stage_id": won}))

    invoice = _drafted(org, deal_id=deal["id"])
    assert (invoice["source"], invoice["status"], invoice["account_id"]) == (
        "deal", "draft", account["id"],
    )  # fmt: skip
    assert (invoice["total"], invoice["currency"], len(invoice["lines"])) == ("2500.00", "USD", 1)


def _invoice(org: Org, account: str, amount: str, *, issue: bool = True) -> dict[str, Any]:
    line = {"description": "Consulting", "quantity": "1", "unit_price": amount}
    body = {"account_id": account, "currency": "EUR", "lines": [line], "payment_terms_days": 14}
    invoice = _ok(_as(org, "admin", "POST", "/api/v1/invoices", json=body), 201)
    if issue:
        invoice = _ok(_as(org, "admin", "POST", f"/api/v1/invoices/{invoice['id']}/issue"))
    return dict(invoice)


def test_invoices_payments_credit_notes_and_plans(org: Org) -> None:
    account = str(uuid.uuid4())
    lines = [
        {"description": "Gift box", "quantity": "3", "unit_price": "100.00", "discount": "5",
         "taxes": [{"name": "BTW", "rate": "21", "inclusive": True}]},
        {"description": "Small fee", "quantity": "2", "unit_price": "0.125", "tax_rate": "21"},
    ]  # fmt: skip
    body = {"account_id": account, "currency": "EUR", "lines": lines}
    draft = _ok(_as(org, "admin", "POST", "/api/v1/invoices", json=body), 201)
    # 285.00 incl. 49.46 VAT; 0.125 x 2 = 0.25, 21% = 0.0525 -> 0.05
    assert [x["line_total"] for x in draft["lines"]] == ["285.00", "0.30"]
    assert (draft["subtotal"], draft["tax_total"], draft["total"]) == ("235.79", "49.51", "285.30")
    path = f"/api/v1/invoices/{draft['id']}"
    bad = _as(
        org, "admin", "PATCH", path, json={"lines": [{"description": "x", "unit_price": "-1"}]}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "lines[0].unit_price"
    if_match = {**org.headers("admin"), "If-Match": f'"{draft["version"]}"'}
    changed = _ok(org.api.http.request("PATCH", path, json={"notes": "Thanks"}, headers=if_match))
    assert changed["notes"] == "Thanks"
    issued = _ok(_as(org, "admin", "POST", f"{path}/issue"))
    assert issued["number"].startswith(f"INV-{YEAR}-") and len(issued["number"]) == 15
    assert (
        issued["due_date"]
        == (date.fromisoformat(issued["issue_date"]) + timedelta(days=30)).isoformat()
    )
    assert _as(org, "admin", "PATCH", path, json={"notes": "late"}).status_code == 409

    other = _invoice(org, account, "14.70")
    pay = {"account_id": account, "amount": "300.00", "currency": "EUR", "method": "bank_transfer",
           "allocations": [{"invoice_id": issued["id"], "amount": "285.30"},
                           {"invoice_id": other["id"], "amount": "14.70"}]}  # fmt: skip
    payment = _ok(_as(org, "admin", "POST", "/api/v1/payments", json=pay), 201)
    assert payment["unallocated"] == "0.00" and len(payment["allocations"]) == 2
    for invoice_id in (issued["id"], other["id"]):
        settled = _ok(_as(org, "admin", "GET", f"/api/v1/invoices/{invoice_id}"))
        assert (settled["status"], settled["balance"]) == ("paid", "0.00")
    assert (
        _ok(_as(org, "read_only", "GET", f"/api/v1/payments/{payment['id']}"))["amount"] == "300.00"
    )

    third = _invoice(org, account, "50.00")
    over = {"account_id": account, "amount": "80.00", "currency": "EUR",
            "allocations": [{"invoice_id": third["id"], "amount": "50.00"}]}  # fmt: skip
    refused = _as(org, "admin", "POST", "/api/v1/payments", json=over)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "amount"
    _ok(_as(org, "admin", "POST", "/api/v1/payments", json={**over, "keep_credit": True}), 201)
    listed = _ok(_as(org, "admin", "GET", "/api/v1/payments", params={"account_id": account}))
    assert (
        listed["credit"] == [{"amount": "30.00", "currency": "EUR"}] and len(listed["items"]) == 2
    )

    fourth = _invoice(org, account, "100.00")
    note = {"invoice_id": fourth["id"], "amount": "40.00", "reason": "damaged"}
    credit = _ok(_as(org, "admin", "POST", "/api/v1/credit-notes", json=note), 201)
    assert credit["number"].startswith(f"CN-{YEAR}-")
    credited = _ok(_as(org, "admin", "GET", f"/api/v1/invoices/{fourth['id']}"))
    assert (credited["balance"], credited["amount_credited"]) == ("60.00", "40.00")
    assert _as(org, "admin", "POST", f"/api/v1/invoices/{fourth['id']}/void").status_code == 409
    soon, later = date.today() + timedelta(days=10), date.today() + timedelta(days=40)
    plan = {"invoice_id": fourth["id"], "installments": [
        {"due_date": soon.isoformat(), "amount": "50.00"},
        {"due_date": later.isoformat(), "amount": "50.00"}]}  # fmt: skip
    made = _ok(_as(org, "admin", "POST", "/api/v1/installment-plans", json=plan), 201)
    assert [(i["paid_amount"], i["status"]) for i in made["installments"]] == [
        ("40.00", "partially_paid"), ("0.00", "pending"),
    ]  # fmt: skip
    plans = _ok(_as(org, "admin", "GET", "/api/v1/installment-plans",
                    params={"invoice_id": fourth["id"]}))  # fmt: skip
    assert [p["id"] for p in plans["items"]] == [made["id"]]

    fifth = _invoice(org, account, "9.99", issue=False)
    voided = _ok(_as(org, "admin", "POST", f"/api/v1/invoices/{fifth['id']}/void",
                     json={"reason": "duplicate"}))  # fmt: skip
    assert voided["status"] == "void" and voided["number"] is None
