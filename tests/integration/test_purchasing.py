"""Purchasing end to end: gateway -> inventory (access resolved by identity) ->
PostgreSQL. Vendor -> purchase order -> issue -> partial receipts raising stock
on hand -> received -> a bill whose price mismatch is flagged; /taxes and
/bundles as the API contract names them."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from tests.integration.api import Api, Session


@pytest.fixture(scope="module")
def admin(api: Api) -> Session:
    return api.create_tenant().admin


def _call(api: Api, who: Session, method: str, path: str, **kw: Any) -> httpx.Response:
    return api.request(method, path, who, **kw)


def _made(api: Api, who: Session, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = _call(api, who, "POST", path, json=body)
    assert response.status_code == 201, f"{path}: {response.text}"
    result: dict[str, Any] = response.json()
    return result


def _fields(response: httpx.Response) -> list[str]:
    return [e["field"] for e in response.json().get("errors", [])]


def _on_hand(api: Api, who: Session, product_id: str) -> str:
    response = _call(api, who, "GET", "/api/v1/stock", params={"product_id": product_id})
    assert response.status_code == 200, response.text
    levels = [item for item in response.json()["items"] if item["product_id"] == product_id]
    assert len(levels) == 1, levels
    return str(levels[0]["on_hand"])


def test_order_receive_in_parts_and_bill_with_a_price_mismatch(api: Api, admin: Session) -> None:
    sku = f"BOLT-{uuid.uuid4().hex[:8]}"
    product = _made(
        api,
        admin,
        "/api/v1/products",
        {"sku": sku, "name": "Bolt", "unit_price": "4.00", "currency": "EUR"},
    )
    code = f"WH{uuid.uuid4().hex[:6]}"
    warehouse = _made(api, admin, "/api/v1/warehouses", {"code": code, "name": "Main"})
    vendor = _made(
        api,
        admin,
        "/api/v1/vendors",
        {"name": "Acme Bolts", "currency": "EUR", "email": "sales@acme.example"},
    )
    assert vendor["payment_terms_days"] == 30 and vendor["active"] is True
    line = {"product_id": product["id"], "quantity": "10", "unit_cost": "2.50"}
    order = _made(
        api,
        admin,
        "/api/v1/purchase-orders",
        {"vendor_id": vendor["id"], "warehouse_id": warehouse["id"], "lines": [line]},
    )
    assert re.fullmatch(r"PO-\d{4}-\d{5}", order["number"])
    assert (order["status"], order["currency"], order["total"]) == ("draft", "EUR", "25.00")
    path = f"/api/v1/purchase-orders/{order['id']}"
    early = _call(
        api,
        admin,
        "POST",
        f"{path}/receive",
        json={"lines": [{"product_id": product["id"], "quantity": "1"}]},
    )
    assert early.status_code == 409  # not issued yet
    issued = _call(api, admin, "POST", f"{path}/issue")
    assert issued.status_code == 200 and issued.json()["status"] == "issued"

    first = _call(
        api,
        admin,
        "POST",
        f"{path}/receive",
        json={"lines": [{"product_id": product["id"], "quantity": "6"}]},
    )
    assert first.status_code == 201, first.text
    received = first.json()
    assert received["receipt"]["lines"][0]["quantity"] == "6"
    assert received["receipt"]["warehouse_id"] == warehouse["id"]
    assert received["purchase_order"]["status"] == "partially_received"
    assert received["purchase_order"]["lines"][0]["received_quantity"] == "6"
    assert _on_hand(api, admin, product["id"]) == "6"

    line_id = received["purchase_order"]["lines"][0]["id"]
    too_many = _call(
        api,
        admin,
        "POST",
        f"{path}/receive",
        json={"lines": [{"line_id": line_id, "quantity": "5"}]},
    )
    assert too_many.status_code == 422 and _fields(too_many) == ["lines[0].quantity"]
    assert _on_hand(api, admin, product["id"]) == "6"

    last = _call(
        api,
        admin,
        "POST",
        f"{path}/receive",
        json={"lines": [{"line_id": line_id, "quantity": "4"}]},
    )
    assert last.status_code == 201 and last.json()["purchase_order"]["status"] == "received"
    assert _on_hand(api, admin, product["id"]) == "10"
    got = _call(api, admin, "GET", path).json()
    assert [len(r["lines"]) for r in got["receipts"]] == [1, 1]

    bill = _made(
        api,
        admin,
        "/api/v1/bills",
        {
            "purchase_order_id": order["id"],
            "vendor_reference": "ACME-4711",
            "lines": [{"product_id": product["id"], "quantity": "10", "unit_cost": "2.75"}],
        },
    )
    assert (bill["status"], bill["total"], bill["vendor_id"]) == ("mismatch", "27.50", vendor["id"])
    flagged = bill["lines"][0]
    assert (flagged["price_mismatch"], flagged["quantity_mismatch"]) == (True, False)
    assert (flagged["ordered_unit_cost"], flagged["received_quantity"]) == ("2.50", "10")
    again = _call(
        api,
        admin,
        "POST",
        "/api/v1/bills",
        json={
            "purchase_order_id": order["id"],
            "vendor_reference": "acme-4711",
            "lines": [{"product_id": product["id"], "quantity": "1", "unit_cost": "2.50"}],
        },
    )
    assert again.status_code == 409 and _fields(again) == ["vendor_reference"]
    listed = _call(
        api,
        admin,
        "GET",
        "/api/v1/bills",
        params={"purchase_order_id": order["id"], "status": "mismatch"},
    )
    assert [b["id"] for b in listed.json()["items"]] == [bill["id"]]


def test_bad_input_names_the_field(api: Api, admin: Session) -> None:
    bad_vendor = _call(api, admin, "POST", "/api/v1/vendors", json={"name": "", "currency": "XX"})
    assert bad_vendor.status_code == 422 and set(_fields(bad_vendor)) == {"name", "currency"}
    vendor = _made(api, admin, "/api/v1/vendors", {"name": "V", "currency": "USD"})
    missing = _call(
        api,
        admin,
        "POST",
        "/api/v1/purchase-orders",
        json={"vendor_id": vendor["id"], "warehouse_id": str(uuid.uuid4())},
    )
    assert missing.status_code == 422 and _fields(missing) == ["warehouse_id"]
    stale = _call(
        api,
        admin,
        "PATCH",
        f"/api/v1/vendors/{vendor['id']}",
        json={"active": False},
        headers={"If-Match": '"7"'},
    )
    assert stale.status_code == 409


def test_taxes_and_bundles_are_the_tax_rates_and_bundle_products(api: Api, admin: Session) -> None:
    tax = _made(api, admin, "/api/v1/taxes", {"region": "AT", "name": "USt", "rate": "20"})
    for path in ("/api/v1/taxes", "/api/v1/tax-rates"):
        listed = _call(api, admin, "GET", path, params={"region": "AT"}).json()["items"]
        assert [t["id"] for t in listed] == [tax["id"]]
    assert _call(api, admin, "DELETE", f"/api/v1/taxes/{tax['id']}").status_code == 204
    assert _call(api, admin, "GET", "/api/v1/tax-rates", params={"region": "AT"}).json() == {
        "items": [],
        "next_cursor": None,
    }
    part = _made(
        api,
        admin,
        "/api/v1/products",
        {"sku": f"P-{uuid.uuid4().hex[:8]}", "name": "Part", "currency": "EUR"},
    )
    kit = _made(
        api,
        admin,
        "/api/v1/bundles",
        {
            "sku": f"KIT-{uuid.uuid4().hex[:8]}",
            "name": "Kit",
            "currency": "EUR",
            "unit_price": "30.00",
            "components": [{"product_id": part["id"], "quantity": "3"}],
        },
    )
    assert (kit["type"], kit["stock_tracked"]) == ("bundle", False)
    assert kit["components"] == [{"product_id": part["id"], "quantity": "3"}]
    got = _call(api, admin, "GET", f"/api/v1/bundles/{kit['id']}")
    assert got.status_code == 200 and got.json()["id"] == kit["id"]
    assert _call(api, admin, "GET", f"/api/v1/bundles/{part['id']}").status_code == 404
    bundles = _call(api, admin, "GET", "/api/v1/bundles", params={"limit": 200}).json()["items"]
    assert kit["id"] in {b["id"] for b in bundles} and {b["type"] for b in bundles} == {"bundle"}
    empty = _call(
        api,
        admin,
        "POST",
        "/api/v1/bundles",
        json={"sku": "EMPTY-1", "name": "Empty", "currency": "EUR", "components": []},
    )
    assert empty.status_code == 422 and _fields(empty) == ["components"]
