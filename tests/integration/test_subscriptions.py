"""Subscriptions and recurring invoices end to end through the gateway, with the
inventory service's generator job running: a subscription that started two
periods ago has its missed invoices issued with gapless numbers within a
bounded poll; the ledger names the subscription; bad input is a 422 naming the
field; cancelled records answer 409."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api

TODAY = datetime.now(UTC).date()


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _as(org: Org, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {**org.headers("admin"), **kw.pop("headers", {})}
    return org.api.http.request(method, path, headers=headers, **kw)


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _months_back(months: int) -> date:
    """The first day of the month ``months`` before this one."""
    index = TODAY.year * 12 + TODAY.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _invoices(org: Org, account_id: str, count: int) -> list[dict[str, Any]]:
    """The account's invoices once there are ``count`` (bounded: 30 s)."""
    items: list[dict[str, Any]] = []
    for _ in range(60):
        params = {"account_id": account_id}
        items = _ok(_as(org, "GET", "/api/v1/invoices", params=params))["items"]
        if len(items) >= count:
            return items
        time.sleep(0.5)
    raise AssertionError(f"{len(items)} of {count} invoices generated: {items}")


def test_missed_periods_are_issued_once_with_gapless_numbers(org: Org) -> None:
    account = str(uuid.uuid4())
    body = {"account_id": account, "description": "Premium support", "quantity": "2",
            "price": "100.00", "currency": "EUR", "tax_rate": "21", "period": "month",
            "start_date": _months_back(2).isoformat(), "invoice_mode": "issue"}  # fmt: skip
    created = _ok(_as(org, "POST", "/api/v1/subscriptions", json=body), 201)
    assert (created["status"], created["price"], created["taxes"][0]["rate"]) == (
        "active", "100.00", "21",
    )  # fmt: skip

    invoices = _invoices(org, account, 3)
    time.sleep(1.5)  # a few more runs of the job make none
    again = _ok(_as(org, "GET", "/api/v1/invoices", params={"account_id": account}))["items"]
    assert len(again) == 3
    assert {(i["status"], i["source"], i["total"]) for i in invoices} == {
        ("issued", "recurring", "242.00")
    }
    serials = sorted(int(i["number"].rsplit("-", 1)[1]) for i in invoices)
    assert serials == list(range(serials[0], serials[0] + 3))  # gapless
    descriptions = sorted(i["lines"][0]["description"] for i in invoices)
    assert descriptions[0].startswith(f"Premium support ({_months_back(2).isoformat()} to ")

    got = _ok(_as(org, "GET", f"/api/v1/subscriptions/{created['id']}"))
    assert (got["periods_billed"], got["next_period_start"]) == (3, _months_back(-1).isoformat())
    ledger = _ok(_as(org, "GET", "/api/v1/transactions",
                     params={"subscription_id": created["id"]}))["items"]  # fmt: skip
    assert sorted((t["kind"], t["amount"]) for t in ledger) == [("invoice_issued", "242.00")] * 3
    assert {t["invoice_id"] for t in ledger} == {i["id"] for i in invoices}


@pytest.mark.parametrize(
    ("change", "field"),
    [({"period": "weekly"}, "period"), ({"price": "-1"}, "price"),
     ({"end_date": "2001-01-01"}, "end_date"), ({"auto_renew": True}, "auto_renew")],
)  # fmt: skip
def test_bad_input_is_422_naming_the_field(org: Org, change: dict[str, Any], field: str) -> None:
    body = {"account_id": str(uuid.uuid4()), "description": "x", "price": "1.00",
            "currency": "EUR", "period": "month", **change}  # fmt: skip
    problem = _ok(_as(org, "POST", "/api/v1/subscriptions", json=body), 422)
    assert field in {e["field"] for e in problem["errors"]}


def test_cancel_and_change_answer_409_once_cancelled(org: Org) -> None:
    body = {"account_id": str(uuid.uuid4()), "description": "Plan", "price": "5.00",
            "currency": "EUR", "period": "year", "start_date": "2030-06-01"}  # fmt: skip
    sub = _ok(_as(org, "POST", "/api/v1/subscriptions", json=body), 201)
    patched = _ok(_as(org, "PATCH", f"/api/v1/subscriptions/{sub['id']}",
                      json={"price": "6.00", "end_date": "2032-05-31", "auto_renew": True},
                      headers={"If-Match": '"1"'}))  # fmt: skip
    assert (patched["price"], patched["term_periods"], patched["version"]) == ("6.00", 2, 2)
    cancel = {"at": "immediately", "reason": "test"}
    cancelled = _ok(_as(org, "POST", f"/api/v1/subscriptions/{sub['id']}/cancel", json=cancel))
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "test")
    assert _as(org, "POST", f"/api/v1/subscriptions/{sub['id']}/cancel").status_code == 409
    assert _as(org, "PATCH", f"/api/v1/subscriptions/{sub['id']}",
               json={"price": "1.00"}).status_code == 409  # fmt: skip


def test_a_recurring_invoice_drafts_each_period(org: Org) -> None:
    account = str(uuid.uuid4())
    line = {"description": "Maintenance", "quantity": "1", "unit_price": "300.00",
            "tax_rate": "9"}  # fmt: skip
    body = {"account_id": account, "currency": "EUR", "lines": [line], "period": "quarter",
            "start_date": _months_back(3).isoformat(), "notes": "Quarterly"}  # fmt: skip
    template = _ok(_as(org, "POST", "/api/v1/recurring-invoices", json=body), 201)
    assert template["lines"][0]["unit_price"] == "300.00"
    invoices = _invoices(org, account, 2)  # three months ago, and today's quarter
    assert {(i["status"], i["total"]) for i in invoices} == {("draft", "327.00")}
    path = f"/api/v1/recurring-invoices/{template['id']}"
    stopped = _ok(_as(org, "PATCH", path, json={"status": "cancelled"}))
    assert stopped["status"] == "cancelled" and stopped["periods_billed"] == 2
    assert _as(org, "PATCH", path, json={"notes": "late"}).status_code == 409
    listed = _ok(_as(org, "GET", "/api/v1/recurring-invoices", params={"account_id": account}))
    assert [t["id"] for t in listed["items"]] == [template["id"]]
