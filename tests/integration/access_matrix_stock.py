"""Access-matrix rows for stock: warehouses, levels, the ledger, adjustments,
delivery notes and assets (joined into the matrix by access_rows.py).

Stock belongs to the tenant (no owner): module ``stock`` decides. Only the
administrator's profile changes it among the seeded profiles (warehouses also
need every record of the tenant); the Read Only profile and key view it; sales
managers and reps have no stock permission (403). Another tenant's admin finds
none of these records (404), and the product or order a body names does not
exist for it (404).

Records are the admin's (``fresh_stock_record``): a stocked product and a
warehouse shared by the cells that only need one; a reserved sales order per
delivery the admin makes; one shipped order for the delivery note and asset
that are only read.
"""

from __future__ import annotations

import time
from typing import Any

from tests.integration.access_matrix import Row, rename, unique
from tests.integration.access_org import Org

KINDS = ("warehouse", "shared_warehouse", "delivery_note", "asset")
VIEW = "200 403 403 403 200 200 200 401"
CREATE = "201 403 403 403 403 201 403 401"
CREATE_LINKED = "201 403 403 403 403 404 403 401"  # names a record of the admin's tenant
READ = "200 403 403 403 200 404 200 401"
CHANGE = "200 403 403 403 403 404 403 401"


def _shared(org: Org, key: str, path: str, body: dict[str, Any]) -> str:
    if key not in org.ids:
        org.ids[key] = str(org.admin("POST", path, json=body)["id"])
    return org.ids[key]


def new_warehouse(org: Org, who: str) -> dict[str, Any]:
    code = unique("WH")
    return {"code": code, "name": f"Warehouse of {who}", "address": "Dock 1"}


def _warehouse(org: Org) -> str:
    return _shared(org, "stock_warehouse_id", "/api/v1/warehouses", new_warehouse(org, "admin"))


def _product(org: Org) -> str:
    """A stock-tracked product with plenty of units in the shared warehouse."""
    if "stock_product_id" not in org.ids:
        name = unique("stocked")
        body = {"sku": name, "name": name, "unit_price": "5.00", "currency": "EUR"}
        product_id = _shared(org, "stock_product_id", "/api/v1/products", body)
        stock = _adjustment(product_id, _warehouse(org), "1000")
        org.admin("POST", "/api/v1/stock/adjustments", json=stock)
    return org.ids["stock_product_id"]


def adjustment(org: Org, who: str) -> dict[str, Any]:
    return _adjustment(_product(org), _warehouse(org), "1000")


def _adjustment(product_id: str, warehouse_id: str, quantity: str) -> dict[str, Any]:
    return {"product_id": product_id, "warehouse_id": warehouse_id, "quantity_delta": quantity,
            "reason": "counted"}  # fmt: skip


def reserved_order(org: Org) -> str:
    """A sales order of the admin's, confirmed and reserved by inventory (bounded wait)."""
    account = _shared(org, "stock_account_id", "/api/v1/accounts", {"name": unique("buyer")})
    line = {"product_id": _product(org), "quantity": "2"}
    body = {"name": unique("order"), "account_id": account, "currency": "EUR", "lines": [line]}
    quote = org.admin("POST", "/api/v1/quotes", json=body)
    org.admin("POST", f"/api/v1/quotes/{quote['id']}/send")
    order = org.admin("POST", f"/api/v1/quotes/{quote['id']}/accept")["order"]
    org.admin("POST", f"/api/v1/sales-orders/{order['id']}/confirm")
    deadline = time.monotonic() + 30
    while org.admin("GET", f"/api/v1/sales-orders/{order['id']}")["status"] != "reserved":
        assert time.monotonic() < deadline, "inventory did not reserve the order"
        time.sleep(0.2)
    return str(order["id"])


def new_delivery(org: Org, who: str) -> dict[str, Any]:
    """The admin ships a new order; the others name the shared one (403 or 404 first)."""
    if who == "admin":
        return {"order_id": reserved_order(org)}
    return {"order_id": org.ids.get("stock_order_id") or reserved_order(org)}


def fresh_stock_record(org: Org, kind: str) -> str:
    """A record of ``kind`` (KINDS), made by the admin."""
    if kind == "warehouse":
        return str(org.admin("POST", "/api/v1/warehouses", json=new_warehouse(org, "fresh"))["id"])
    if kind == "shared_warehouse":
        return _warehouse(org)
    if "stock_note_id" not in org.ids:
        order = org.ids["stock_order_id"] = reserved_order(org)
        line = {
            "product_id": _product(org),
            "quantity": "2",
            "serials": [unique("SN"), unique("SN")],
        }
        note = org.admin(
            "POST", "/api/v1/delivery-notes", json={"order_id": order, "lines": [line]}
        )
        org.ids["stock_note_id"] = str(note["id"])
        assets = org.admin("GET", f"/api/v1/assets?product_id={_product(org)}")
        org.ids["stock_asset_id"] = str(assets["items"][0]["id"])
    return org.ids["stock_note_id" if kind == "delivery_note" else "stock_asset_id"]


ROWS: list[Row] = [
    Row("GET", "/api/v1/warehouses", VIEW),
    Row("POST", "/api/v1/warehouses", CREATE, body=new_warehouse),
    Row("GET", "/api/v1/warehouses/{fresh_id}", READ, fresh="shared_warehouse"),
    Row("PATCH", "/api/v1/warehouses/{fresh_id}", CHANGE, body=rename, fresh="warehouse"),
    Row("GET", "/api/v1/stock", VIEW),
    Row("GET", "/api/v1/stock/movements", VIEW),
    Row("POST", "/api/v1/stock/adjustments", CREATE_LINKED, body=adjustment),
    Row("GET", "/api/v1/delivery-notes", VIEW),
    Row("POST", "/api/v1/delivery-notes", CREATE_LINKED, body=new_delivery),
    Row("GET", "/api/v1/delivery-notes/{fresh_id}", READ, fresh="delivery_note"),
    Row("GET", "/api/v1/assets", VIEW),
    Row("GET", "/api/v1/assets/{fresh_id}", READ, fresh="asset"),
]
