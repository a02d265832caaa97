"""Pure rules of the catalogue and the wire parsing of inventory's mappers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal as D

import pytest

from crm.inventory.v1 import inventory_pb2 as pb
from crm_common.errors import InvalidArgument
from inventory import mappers, mappers_price_books
from inventory.domain import price_books, products
from inventory.domain.commands import Component


@dataclass
class Book:
    active: bool = True
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass
class Tier:
    min_quantity: D


def test_valid_on_honours_open_ends_and_inclusive_end() -> None:
    day = date(2026, 6, 30)
    assert price_books.valid_on(Book(), day)
    assert price_books.valid_on(Book(valid_to=day), day)
    assert not price_books.valid_on(Book(valid_from=date(2026, 7, 1)), day)
    assert not price_books.valid_on(Book(active=False), day)


def test_the_highest_tier_not_above_the_quantity_wins() -> None:
    tiers = [Tier(D(1)), Tier(D(10)), Tier(D(100))]
    assert price_books.tier_for(tiers, D("9.5")) == tiers[0]
    assert price_books.tier_for(tiers, D(10)) == tiers[1]
    assert price_books.tier_for([Tier(D(5))], D(1)) is None


def test_regions_include_the_country() -> None:
    assert price_books.regions_of("US-CA") == ["US", "US-CA"]
    assert price_books.regions_of("NL") == ["NL"]
    assert price_books.regions_of("") == []


def test_bundle_rules() -> None:
    part = uuid.uuid4()
    values = products.with_defaults({"sku": "B-1", "name": "Kit", "currency": "EUR"})
    values["type"] = "bundle"
    with pytest.raises(InvalidArgument) as caught:
        products.validate(values, {**values, "stock_tracked": True})
    assert {v.field for v in caught.value.violations} == {"stock_tracked", "components"}
    twice = [Component(part, D(1)), Component(part, D(2))]
    with pytest.raises(InvalidArgument):
        products.validate({}, {**values, "stock_tracked": False, "components": twice})
    bundle = uuid.uuid4()
    with pytest.raises(InvalidArgument):
        products.check_no_cycle(bundle, [part, bundle])
    products.check_no_cycle(bundle, [part])


def test_with_defaults_tracks_stock_of_physical_products_only() -> None:
    assert products.with_defaults({"type": "product"})["stock_tracked"] is True
    assert products.with_defaults({"type": "service"})["stock_tracked"] is False
    assert products.sku_key("Ab-1") == products.sku_key("aB-1")


@pytest.mark.parametrize("text", ["1e3", "1,5", "", " ", "1.12345678901", "NaN"])
def test_decimals_from_the_wire_are_strict(text: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        mappers.parse_decimal(text, "unit_price")
    assert caught.value.violations[0].field == "unit_price"


def test_decimal_strings() -> None:
    assert mappers.money_str(D("19.9000000000"), "EUR") == "19.90"
    assert mappers.money_str(D("0.3333"), "EUR") == "0.3333"
    assert mappers.money_str(D("333.0000"), "JPY") == "333"
    assert mappers.decimal_str(D("21.0000"), 2) == "21.00"
    assert mappers.decimal_str(D("2.500000")) == "2.5"


def test_quote_request_parsing() -> None:
    product_id = str(uuid.uuid4())
    cmd = mappers_price_books.quote_cmd(pb.PriceQuoteRequest(product_id=product_id))
    assert (cmd.quantity, cmd.discount_percent, cmd.on, cmd.price_book_id) == (
        D(1),
        D(0),
        None,
        None,
    )
    for request, field in (
        (pb.PriceQuoteRequest(product_id=product_id, quantity="0"), "quantity"),
        (pb.PriceQuoteRequest(product_id=product_id, discount_percent="101"), "discount_percent"),
        (pb.PriceQuoteRequest(product_id=product_id, date="2026-02-30"), "date"),
        (pb.PriceQuoteRequest(product_id="nope"), "product_id"),
    ):
        with pytest.raises(InvalidArgument) as caught:
            mappers_price_books.quote_cmd(request)
        assert caught.value.violations[0].field == field


def test_update_mask_refuses_unknown_fields() -> None:
    request = pb.UpdateProductRequest(id=str(uuid.uuid4()), update_mask=["tenant_id"])
    with pytest.raises(InvalidArgument) as caught:
        mappers.update_product_cmd(request)
    assert caught.value.violations[0].field == "tenant_id"
