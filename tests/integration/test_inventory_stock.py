"""Stock end to end through the gateway and the real processes (identity,
sales, inventory, NATS): a warehouse and stock made over REST, a quote accepted
and its order confirmed; inventory's consumer reserves and sales follows its
answer (reserved / insufficient_stock); cancelling releases; a delivery note
ships the rest and its serials become assets of the account."""

from __future__ import annotations

import time
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


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _made(api: Api, who: Session, path: str, body: dict[str, Any]) -> Any:
    return _ok(_call(api, who, "POST", path, json=body), 201)


def _order(api: Api, who: Session, account: str, product: str, quantity: str) -> str:
    """Quote -> send -> accept -> confirm: the confirmed order's id."""
    line = {"product_id": product, "quantity": quantity}
    body = {"name": "Stock order", "account_id": account, "currency": "EUR", "lines": [line]}
    quote = _made(api, who, "/api/v1/quotes", body)
    _ok(_call(api, who, "POST", f"/api/v1/quotes/{quote['id']}/send"))
    order = _ok(_call(api, who, "POST", f"/api/v1/quotes/{quote['id']}/accept"))["order"]
    _ok(_call(api, who, "POST", f"/api/v1/sales-orders/{order['id']}/confirm"))
    return str(order["id"])


def _status(api: Api, who: Session, order_id: str, wanted: str) -> str:
    """The order's status once it is ``wanted`` or after 30 s, whichever first."""
    deadline = time.monotonic() + 30
    while True:
        status = _ok(_call(api, who, "GET", f"/api/v1/sales-orders/{order_id}"))["status"]
        if status == wanted or time.monotonic() > deadline:
            return str(status)
        time.sleep(0.2)


def _level(api: Api, who: Session, product: str) -> tuple[str, str, str]:
    items = _ok(_call(api, who, "GET", "/api/v1/stock", params={"product_id": product}))["items"]
    assert len(items) == 1, items
    return (items[0]["on_hand"], items[0]["reserved"], items[0]["available"])


def test_orders_reserve_release_and_ship(api: Api, admin: Session) -> None:
    code = f"WH-{uuid.uuid4().hex[:6]}"
    warehouse = _made(api, admin, "/api/v1/warehouses", {"code": code, "name": "Main"})
    taken = _call(
        api, admin, "POST", "/api/v1/warehouses", json={"code": code.lower(), "name": "x"}
    )
    assert taken.status_code == 409 and taken.json()["errors"][0]["field"] == "code"
    sku = f"ROUTER-{uuid.uuid4().hex[:6]}"
    body = {"sku": sku, "name": "Router", "unit_price": "80.00", "currency": "EUR"}
    product = _made(api, admin, "/api/v1/products", body)
    stock = {"product_id": product["id"], "warehouse_id": warehouse["id"], "reason": "counted"}
    level = _made(api, admin, "/api/v1/stock/adjustments", {**stock, "quantity_delta": "5"})
    assert (level["on_hand"], level["available"]) == ("5", "5")
    account = _made(api, admin, "/api/v1/accounts", {"name": f"Buyer {uuid.uuid4().hex[:6]}"})

    first = _order(api, admin, account["id"], product["id"], "3")
    assert _status(api, admin, first, "reserved") == "reserved"
    assert _level(api, admin, product["id"]) == ("5", "3", "2")
    below = _call(api, admin, "POST", "/api/v1/stock/adjustments",
                  json={**stock, "quantity_delta": "-3"})  # fmt: skip
    assert below.status_code == 409, below.text

    second = _order(api, admin, account["id"], product["id"], "4")
    assert _status(api, admin, second, "insufficient_stock") == "insufficient_stock"
    assert _level(api, admin, product["id"]) == ("5", "3", "2")

    third = _order(api, admin, account["id"], product["id"], "2")
    assert _status(api, admin, third, "reserved") == "reserved"
    _ok(_call(api, admin, "POST", f"/api/v1/sales-orders/{third}/cancel"))
    deadline = time.monotonic() + 30
    while _level(api, admin, product["id"])[1] != "3" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _level(api, admin, product["id"]) == ("5", "3", "2")

    line = {"product_id": product["id"], "quantity": "2", "serials": ["R-1", "R-2"]}
    note = _made(api, admin, "/api/v1/delivery-notes", {"order_id": first, "lines": [line]})
    assert (note["status"], note["account_id"]) == ("shipped", account["id"])
    rest = _made(api, admin, "/api/v1/delivery-notes", {"order_id": first})
    assert [ln["quantity"] for ln in rest["lines"]] == ["1"]
    assert _level(api, admin, product["id"]) == ("2", "0", "2")
    got = _ok(_call(api, admin, "GET", f"/api/v1/delivery-notes/{note['id']}"))
    assert got["lines"][0]["serials"] == ["R-1", "R-2"]
    assets = _ok(_call(api, admin, "GET", "/api/v1/assets", params={"account_id": account["id"]}))
    assert sorted(a["serial_number"] for a in assets["items"]) == ["R-1", "R-2"]
    kinds = _ok(_call(api, admin, "GET", "/api/v1/stock/movements",
                      params={"product_id": product["id"]}))["items"]  # fmt: skip
    assert [m["kind"] for m in kinds] == [
        "shipment", "shipment", "release", "reservation", "reservation", "adjustment",
    ]  # fmt: skip
    bad = _call(api, admin, "GET", "/api/v1/stock", params={"product_id": "nope"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "product_id"
