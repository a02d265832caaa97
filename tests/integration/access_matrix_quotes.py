"""Access-matrix rows for quotes and sales orders (joined into the matrix by
access_rows.py). Modules quotes and orders: private by default, owner-based like
accounts; approving needs someone above the owner (the manager) or an
administrator, so the owner (rep) gets 403; the Read Only profile and key only view.

The records are the rep's, made by the rep (``fresh_quote_record``): shared ones
for reads and draft edits, a new one per cell where the call changes its state.
"""

from __future__ import annotations

from typing import Any

from tests.integration.access_matrix import Row, unique
from tests.integration.access_org import Org

# fresh kind -> the steps after creating a draft quote (with a 30% line for the
# approval kinds); "shared_*" kinds are made once and reused.
STEPS: dict[str, tuple[str, ...]] = {
    "quote": (),
    "quote_discounted": (),
    "quote_pending": ("request-approval",),
    "quote_sent": ("send",),
    "sales_order": ("send", "accept"),
}
CHANGE = "200 200 200 404 403 404 403 401"
DECIDE = "200 200 403 404 403 404 403 401"


def _rep(org: Org, method: str, path: str, body: Any = None) -> dict[str, Any]:
    response = org.api.request(method, path, org.sessions["rep"], json=body)
    assert response.status_code in (200, 201), f"{method} {path}: {response.text}"
    result: dict[str, Any] = response.json()
    return result


def _product(org: Org) -> str:
    """One product of the tenant (admins create catalogue records), made on first use."""
    if "quote_product_id" not in org.ids:
        name = unique("quoted")
        body = {"sku": name, "name": name, "unit_price": "10.00", "currency": "EUR"}
        org.ids["quote_product_id"] = str(org.admin("POST", "/api/v1/products", json=body)["id"])
    return org.ids["quote_product_id"]


def _rep_account(org: Org) -> str:
    if "quote_account_id" not in org.ids:
        org.ids["quote_account_id"] = str(_rep(org, "POST", "/api/v1/accounts", new_name())["id"])
    return org.ids["quote_account_id"]


def new_name() -> dict[str, str]:
    return {"name": unique("quote")}


def fresh_quote_record(org: Org, kind: str) -> str:
    """A quote (or sales order) of the rep in the state ``kind`` names."""
    shared = kind.removeprefix("shared_")
    if shared != kind:
        key = f"{kind}_id"
        if key not in org.ids:
            org.ids[key] = fresh_quote_record(org, shared)
        return org.ids[key]
    discount = "30" if kind in ("quote_discounted", "quote_pending") else "0"
    line = {"product_id": _product(org), "quantity": "2", "discount_percent": discount}
    body = {**new_name(), "account_id": _rep_account(org), "currency": "EUR", "lines": [line]}
    quote = _rep(org, "POST", "/api/v1/quotes", body)
    result = quote
    for step in STEPS[kind]:
        result = _rep(org, "POST", f"/api/v1/quotes/{quote['id']}/{step}")
    return str(result["order"]["id"] if kind == "sales_order" else quote["id"])


def new_quote(org: Org, who: str) -> dict[str, Any]:
    """No lines: creating it asks inventory nothing."""
    return {**new_name(), "account_id": _rep_account(org), "currency": "EUR"}


def new_lines(org: Org, who: str) -> dict[str, Any]:
    return {"lines": [{"product_id": _product(org), "quantity": "3"}]}


def _quote(action: str, expect: str, fresh: str) -> Row:
    return Row("POST", f"/api/v1/quotes/{{fresh_id}}/{action}", expect, fresh=fresh)


ROWS: list[Row] = [
    Row("GET", "/api/v1/quotes", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/quotes", "201 201 201 404 403 422 403 401", body=new_quote),
    Row(
        "GET", "/api/v1/quotes/{fresh_id}", "200 200 200 404 404 404 200 401", fresh="shared_quote"
    ),
    Row(
        "PATCH",
        "/api/v1/quotes/{fresh_id}",
        CHANGE,
        body=lambda org, who: new_name(),
        fresh="shared_quote",
    ),
    Row("PUT", "/api/v1/quotes/{fresh_id}/lines", CHANGE, body=new_lines, fresh="shared_quote"),
    _quote("reprice", CHANGE, "shared_quote"),
    _quote("request-approval", CHANGE, "quote_discounted"),
    _quote("approve", DECIDE, "quote_pending"),
    _quote("reject-approval", DECIDE, "quote_pending"),
    _quote("send", CHANGE, "quote"),
    _quote("accept", CHANGE, "quote_sent"),
    _quote("reject", CHANGE, "quote_sent"),
    Row("GET", "/api/v1/sales-orders", "200 200 200 200 200 200 200 401"),
    Row(
        "GET",
        "/api/v1/sales-orders/{fresh_id}",
        "200 200 200 404 404 404 200 401",
        fresh="shared_sales_order",
    ),
    Row("POST", "/api/v1/sales-orders/{fresh_id}/confirm", CHANGE, fresh="sales_order"),
    Row("POST", "/api/v1/sales-orders/{fresh_id}/cancel", CHANGE, fresh="sales_order"),
]
