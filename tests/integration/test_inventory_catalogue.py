"""The catalogue end to end: gateway -> inventory (access resolved by identity) ->
PostgreSQL; products, bundles, price books, tax rates and the price of a line."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.integration.access_org import Org, build_org
from tests.integration.api import Api


@pytest.fixture(scope="module")
def org(api: Api) -> Iterator[Org]:
    yield build_org(api)


def _as(org: Org, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {**org.headers(who), **kw.pop("headers", {})}
    return org.api.http.request(method, path, headers=headers, **kw)


def _sku() -> str:
    return f"SKU-{uuid.uuid4().hex[:8]}"


def _product(org: Org, **fields: Any) -> dict[str, Any]:
    body = {"sku": _sku(), "name": "Widget", "unit_price": "100.00", "currency": "EUR", **fields}
    response = _as(org, "admin", "POST", "/api/v1/products", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _fields(response: httpx.Response) -> list[str]:
    return [e["field"] for e in response.json().get("errors", [])]


def test_products_sku_bundles_and_versions(org: Org) -> None:
    part = _product(org, type="service", tax_class="reduced")
    assert part["stock_tracked"] is False and part["unit_price"] == "100.00"
    assert part["type"] == "service" and part["version"] == 1
    taken = _as(org, "admin", "POST", "/api/v1/products",
                json={"sku": part["sku"].lower(), "name": "Again", "currency": "EUR"})  # fmt: skip
    assert taken.status_code == 409 and _fields(taken) == ["sku"]
    for bad, field in (({"unit_price": "abc"}, "unit_price"), ({"unit_price": 9.99}, "unit_price")):
        body = {"sku": _sku(), "name": "Bad", "currency": "EUR", **bad}
        refused = _as(org, "admin", "POST", "/api/v1/products", json=body)
        assert refused.status_code == 422 and _fields(refused) == [field]
    inner = _product(org, type="bundle", components=[{"product_id": part["id"], "quantity": "2"}])
    outer = _product(org, type="bundle", components=[{"product_id": inner["id"]}])
    assert outer["components"] == [{"product_id": inner["id"], "quantity": "1"}]
    cycle = _as(org, "admin", "PATCH", f"/api/v1/products/{inner['id']}",
                json={"components": [{"product_id": outer["id"], "quantity": "1"}]})  # fmt: skip
    assert cycle.status_code == 422 and _fields(cycle) == ["components"]
    path = f"/api/v1/products/{part['id']}"
    renamed = _as(org, "admin", "PATCH", path, json={"name": "Installation"},
                  headers={"If-Match": '"1"'})  # fmt: skip
    assert renamed.status_code == 200 and renamed.headers["ETag"] == '"2"'
    stale = _as(org, "admin", "PATCH", path, json={"name": "x"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 409
    assert _as(org, "rep", "GET", path).json()["name"] == "Installation"
    assert _as(org, "rep", "PATCH", path, json={"name": "x"}).status_code == 403
    assert _as(org, "other_tenant", "GET", path).status_code == 404
    services = _as(org, "rep", "GET", "/api/v1/products", params={"type": "service", "limit": 200})
    assert part["id"] in {p["id"] for p in services.json()["items"]}


def test_price_of_a_line_with_books_taxes_and_discount(org: Org) -> None:
    product = _product(org, currency="USD", unit_price="19.99", tax_class=f"tc-{_sku()}")
    tax_class = product["tax_class"]
    for region, name, rate, extra in (
        ("US", "Federal", "1", {"position": 1}),
        ("US-CA", "State", "7.25", {"position": 2, "compound": True}),
    ):
        body = {"tax_class": tax_class, "region": region, "name": name, "rate": rate, **extra}
        made = _as(org, "admin", "POST", "/api/v1/tax-rates", json=body)
        assert made.status_code == 201, made.text
    book = _as(org, "admin", "POST", "/api/v1/price-books", json={
        "name": "Wholesale 2026", "currency": "USD", "is_standard": True,
        "valid_from": "2026-01-01", "valid_to": "2026-12-31",
        "entries": [{"product_id": product["id"], "list_price": "18.00"},
                    {"product_id": product["id"], "list_price": "15.50", "min_quantity": "10"}],
    })  # fmt: skip
    assert book.status_code == 201, book.text
    price = f"/api/v1/products/{product['id']}/price"
    params = {"quantity": "12", "date": "2026-06-01", "region": "us-ca", "discount_percent": "5"}
    quote = _as(org, "rep", "GET", price, params=params)
    assert quote.status_code == 200, quote.text
    # 15.50 x 12 = 186.00; 5% = 9.30; net 176.70; 1% = 1.767 -> 1.77;
    # 7.25% of (176.70 + 1.77) = 12.939075 -> 12.94; gross 176.70 + 14.71 = 191.41
    assert quote.json() == {
        "product_id": product["id"], "currency": "USD", "quantity": "12",
        "list_price": "15.50", "unit_price": "14.725", "price_book_id": book.json()["id"],
        "discount_percent": "5", "subtotal": "186.00", "discount_amount": "9.30",
        "net_amount": "176.70",
        "taxes": [
            {"name": "Federal", "rate": "1.00", "amount": "1.77", "inclusive": False,
             "compound": False},
            {"name": "State", "rate": "7.25", "amount": "12.94", "inclusive": False,
             "compound": True},
        ],
        "tax_total": "14.71", "gross_total": "191.41",
        "rounding": "half-up to the currency's minor unit, per line",
        "date": "2026-06-01", "region": "US-CA",
    }  # fmt: skip
    # outside the book's dates the product's own USD price applies, without taxes
    own = _as(org, "rep", "GET", price, params={"date": "2027-01-01"}).json()
    assert (own["list_price"], own["price_book_id"], own["gross_total"]) == ("19.99", None, "19.99")
    no_eur = _as(org, "rep", "GET", price, params={"currency": "EUR"})
    assert no_eur.status_code == 409 and "EUR" in no_eur.json()["detail"]
    bad = _as(org, "rep", "GET", price, params={"quantity": "-1"})
    assert bad.status_code == 422 and _fields(bad) == ["quantity"]
    assert _as(org, "other_tenant", "GET", price).status_code == 404


def test_price_books_and_tax_rates_admin_only(org: Org) -> None:
    product = _product(org)
    body = {"name": "Partners", "currency": "EUR", "valid_from": "2026-02-01",
            "valid_to": "2026-01-01"}  # fmt: skip
    backwards = _as(org, "admin", "POST", "/api/v1/price-books", json=body)
    assert backwards.status_code == 422 and _fields(backwards) == ["valid_to"]
    body["valid_to"] = "2026-12-31"
    book = _as(org, "admin", "POST", "/api/v1/price-books", json=body).json()
    path = f"/api/v1/price-books/{book['id']}"
    entries = [{"product_id": product["id"], "list_price": "80"}]
    changed = _as(org, "admin", "PATCH", path, json={"entries": entries, "valid_to": None})
    assert changed.status_code == 200, changed.text
    assert (
        changed.json()["valid_to"] is None and changed.json()["entries"][0]["list_price"] == "80.00"
    )
    quote = _as(org, "manager", "GET", f"/api/v1/products/{product['id']}/price",
                params={"price_book_id": book["id"], "date": "2030-01-01"})  # fmt: skip
    assert quote.json()["list_price"] == "80.00"
    rate = {"region": "FR", "name": "TVA", "rate": "20"}
    assert _as(org, "manager", "POST", "/api/v1/tax-rates", json=rate).status_code == 403
    made = _as(org, "admin", "POST", "/api/v1/tax-rates", json=rate).json()
    assert made["rate"] == "20.00" and made["tax_class"] == "standard"
    rates = _as(org, "rep", "GET", "/api/v1/tax-rates", params={"region": "FR"}).json()["items"]
    assert [r["id"] for r in rates] == [made["id"]]
    assert _as(org, "admin", "DELETE", f"/api/v1/tax-rates/{made['id']}").status_code == 204
    assert (
        _as(org, "rep", "GET", "/api/v1/tax-rates", params={"region": "FR"}).json()["items"] == []
    )
