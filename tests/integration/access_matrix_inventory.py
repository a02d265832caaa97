"""Access-matrix rows for inventory (joined into the matrix by access_rows.py).

The catalogue belongs to the tenant (no owner): managers, reps and the Read Only
profile and key may view products and price books, only the administrator
changes them; tax rates are read by whoever sees products and changed by
administrators. Another tenant's admin finds none of these records (404).
"""

from __future__ import annotations

from typing import Any

from tests.integration.access_matrix import Row, rename, unique
from tests.integration.access_org import Org


def new_product(org: Org, who: str) -> dict[str, Any]:
    return {"sku": unique(who), "name": "Matrix widget", "unit_price": "5.00", "currency": "EUR"}


def new_price_book(org: Org, who: str) -> dict[str, Any]:
    return {"name": unique("book"), "currency": "EUR"}


def new_tax_rate(org: Org, who: str) -> dict[str, Any]:
    return {"region": "DE", "name": unique("vat"), "rate": "19"}


ROWS: list[Row] = [
    Row("GET", "/api/v1/products", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/products", "201 403 403 403 403 201 403 401", body=new_product),
    Row("GET", "/api/v1/products/{fresh_id}", "200 200 200 200 200 404 200 401", fresh="product"),
    Row(
        "PATCH",
        "/api/v1/products/{fresh_id}",
        "200 403 403 403 403 404 403 401",
        body=rename,
        fresh="product",
    ),
    Row(
        "GET",
        "/api/v1/products/{fresh_id}/price",
        "200 200 200 200 200 404 200 401",
        fresh="product",
    ),
    # an EUR product without a USD price book: no price in USD (409 names the currency)
    Row(
        "GET",
        "/api/v1/products/{fresh_id}/price?currency=USD&quantity=2",
        "409 409 409 409 409 404 409 401",
        fresh="product",
    ),
    Row("GET", "/api/v1/price-books", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/price-books", "201 403 403 403 403 201 403 401", body=new_price_book),
    Row(
        "GET",
        "/api/v1/price-books/{fresh_id}",
        "200 200 200 200 200 404 200 401",
        fresh="price_book",
    ),
    Row(
        "PATCH",
        "/api/v1/price-books/{fresh_id}",
        "200 403 403 403 403 404 403 401",
        body=rename,
        fresh="price_book",
    ),
    Row("GET", "/api/v1/tax-rates", "200 200 200 200 200 200 200 401"),
    Row("POST", "/api/v1/tax-rates", "201 403 403 403 403 201 403 401", body=new_tax_rate),
    Row(
        "DELETE",
        "/api/v1/tax-rates/{fresh_id}",
        "204 403 403 403 403 404 403 401",
        fresh="tax_rate",
    ),
]
