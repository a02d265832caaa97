"""Access-matrix rows for purchasing, /taxes and /bundles (joined into the matrix
by access_rows.py).

Vendors, purchase orders, receipts and bills belong to the tenant (no owner):
modules ``vendors`` and ``purchase_orders`` decide. Only the administrator's
profile has them among the seeded ones that change records; the Read Only
profile and key view them; sales managers and reps have neither (403). Another
tenant's admin finds none of these records (404), and the vendor, order or
component it names does not exist for it (422 naming the field). ``/taxes`` and
``/bundles`` answer exactly as ``/tax-rates`` and ``/products`` do.

Records are the admin's (``fresh_purchasing_record``): one vendor, warehouse,
stock-tracked product and issued order shared by the cells that only need one,
a new record per cell where the call changes it.
"""

from __future__ import annotations

from typing import Any

from tests.integration.access_matrix import Row, rename, unique
from tests.integration.access_org import Org

KINDS = ("vendor", "purchase_order", "issued_purchase_order", "bill", "bundle")
VIEW = "200 403 403 403 200 200 200 401"
CREATE = "201 403 403 403 403 201 403 401"
CREATE_LINKED = "201 403 403 403 403 422 403 401"  # names a record of the admin's tenant
READ = "200 403 403 403 200 404 200 401"
CHANGE = "200 403 403 403 403 404 403 401"


def _shared(org: Org, key: str, path: str, body: dict[str, Any]) -> str:
    if key not in org.ids:
        org.ids[key] = str(org.admin("POST", path, json=body)["id"])
    return org.ids[key]


def _vendor(org: Org) -> str:
    return _shared(org, "po_vendor_id", "/api/v1/vendors", new_vendor(org, "admin"))


def _warehouse(org: Org) -> str:
    code = unique("WH")
    return _shared(org, "po_warehouse_id", "/api/v1/warehouses", {"code": code, "name": code})


def _product(org: Org) -> str:
    name = unique("stocked")
    body = {"sku": name, "name": name, "unit_price": "10.00", "currency": "EUR"}
    return _shared(org, "po_product_id", "/api/v1/products", body)


def _issued(org: Org) -> str:
    if "po_issued_id" not in org.ids:
        org.ids["po_issued_id"] = fresh_purchasing_record(org, "issued_purchase_order")
    return org.ids["po_issued_id"]


def new_vendor(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique(who), "currency": "EUR", "payment_terms_days": 14}


def new_order(org: Org, who: str) -> dict[str, Any]:
    line = {"product_id": _product(org), "quantity": "10", "unit_cost": "2.50"}
    return {"vendor_id": _vendor(org), "warehouse_id": _warehouse(org), "lines": [line]}


def new_bill(org: Org, who: str) -> dict[str, Any]:
    line = {"product_id": _product(org), "quantity": "1", "unit_cost": "2.50"}
    return {"purchase_order_id": _issued(org), "vendor_reference": unique(who), "lines": [line]}


def new_bundle(org: Org, who: str) -> dict[str, Any]:
    name = unique(who)
    components = [{"product_id": _product(org), "quantity": "2"}]
    return {"sku": name, "name": name, "currency": "EUR", "components": components}


def new_tax(org: Org, who: str) -> dict[str, Any]:
    return {"region": "BE", "name": unique("vat"), "rate": "21"}


def receive_one(org: Org, who: str) -> dict[str, Any]:
    return {"lines": [{"product_id": _product(org), "quantity": "1"}]}


def fresh_purchasing_record(org: Org, kind: str) -> str:
    """A new record of ``kind`` (KINDS), made by the admin."""
    if kind == "vendor":
        return str(org.admin("POST", "/api/v1/vendors", json=new_vendor(org, "fresh"))["id"])
    if kind == "bill":
        return str(org.admin("POST", "/api/v1/bills", json=new_bill(org, "fresh"))["id"])
    if kind == "bundle":
        return str(org.admin("POST", "/api/v1/bundles", json=new_bundle(org, "fresh"))["id"])
    order = str(org.admin("POST", "/api/v1/purchase-orders", json=new_order(org, "fresh"))["id"])
    if kind == "issued_purchase_order":
        org.admin("POST", f"/api/v1/purchase-orders/{order}/issue")
    return order


ROWS: list[Row] = [
    Row("GET", "/api/v1/vendors", VIEW),
    Row("POST", "/api/v1/vendors", CREATE, body=new_vendor),
    Row("GET", "/api/v1/vendors/{fresh_id}", READ, fresh="vendor"),
    Row("PATCH", "/api/v1/vendors/{fresh_id}", CHANGE, body=rename, fresh="vendor"),
    Row("GET", "/api/v1/purchase-orders", VIEW),
    Row("POST", "/api/v1/purchase-orders", CREATE_LINKED, body=new_order),
    Row("GET", "/api/v1/purchase-orders/{fresh_id}", READ, fresh="purchase_order"),
    Row(
        "PATCH",
        "/api/v1/purchase-orders/{fresh_id}",
        CHANGE,
        body=lambda org, who: {"expected_date": "2030-01-31"},
        fresh="purchase_order",
    ),
    Row("POST", "/api/v1/purchase-orders/{fresh_id}/issue", CHANGE, fresh="purchase_order"),
    Row("POST", "/api/v1/purchase-orders/{fresh_id}/cancel", CHANGE, fresh="purchase_order"),
    Row(
        "POST",
        "/api/v1/purchase-orders/{fresh_id}/receive",
        "201 403 403 403 403 404 403 401",
        body=receive_one,
        fresh="issued_purchase_order",
    ),
    Row("GET", "/api/v1/bills", VIEW),
    Row("POST", "/api/v1/bills", CREATE_LINKED, body=new_bill),
    Row("GET", "/api/v1/bills/{fresh_id}", READ, fresh="bill"),
    # /taxes = /tax-rates: read with products:view, changed by administrators
    Row("GET", "/api/v1/taxes", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/taxes", "201 403 403 403 403 201 403 401", body=new_tax),
    Row("DELETE", "/api/v1/taxes/{fresh_id}", "204 403 403 403 403 404 403 401", fresh="tax_rate"),
    # /bundles = /products of type bundle
    Row("GET", "/api/v1/bundles", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/bundles", CREATE_LINKED, body=new_bundle),
    Row("GET", "/api/v1/bundles/{fresh_id}", "200 200 200 200 200 404 200 401", fresh="bundle"),
]
