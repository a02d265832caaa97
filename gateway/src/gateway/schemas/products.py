"""Products (with bundles and services) and their line prices:
``ProductCreate / ProductUpdate / ProductRead / ProductPage``, ``PriceQuoteRead``.

Money and quantities are decimal strings ("1234.50"); a JSON number is refused,
because a float has already lost the cent. Inventory owns the value rules.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody, next_cursor_field

DECIMAL = "A decimal string, e.g. 1234.50"
VERSION_FIELD = Field(default=None, description="Expected version (or send If-Match); 409 if stale")


class NotNull(RequestBody):
    """Partial updates: leave a field out to keep it; null is refused."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class ComponentBody(RequestBody):
    product_id: str
    quantity: str = Field(default="1", description=DECIMAL)


class ProductCreate(RequestBody):
    sku: str = Field(description="Unique in your tenant, case-insensitively (409 if taken)")
    name: str
    description: str = ""
    type: str = Field(default="product", description="product | service | bundle")
    unit_price: str = Field(default="0", description=DECIMAL)
    currency: str = Field(description="ISO 4217, e.g. EUR")
    tax_class: str = Field(default="standard", description="e.g. standard, reduced, zero")
    stock_tracked: bool | None = Field(
        default=None, description="Default: true for products; never for services and bundles"
    )
    reorder_level: str = Field(default="0", description=DECIMAL)
    active: bool = True
    components: list[ComponentBody] = Field(
        default_factory=list, description="Bundles only: products of your tenant, no cycles"
    )


class ProductUpdate(NotNull):
    sku: str | SkipJsonSchema[None] = None
    name: str | SkipJsonSchema[None] = None
    description: str | SkipJsonSchema[None] = None
    type: str | SkipJsonSchema[None] = None
    unit_price: str | SkipJsonSchema[None] = None
    currency: str | SkipJsonSchema[None] = None
    tax_class: str | SkipJsonSchema[None] = None
    stock_tracked: bool | SkipJsonSchema[None] = None
    reorder_level: str | SkipJsonSchema[None] = None
    active: bool | SkipJsonSchema[None] = None
    components: list[ComponentBody] | SkipJsonSchema[None] = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD


class ComponentRead(BaseModel):
    product_id: str
    quantity: str


class ProductRead(BaseModel):
    id: str
    tenant_id: str
    sku: str
    name: str
    description: str = ""
    type: str
    unit_price: str = Field(default="", description="Absent when hidden from the caller")
    currency: str
    tax_class: str
    stock_tracked: bool
    reorder_level: str
    active: bool
    components: list[ComponentRead] = Field(default_factory=list)
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None
    hidden_fields: SkipJsonSchema[list[str]] = Field(default_factory=list, exclude=True)

    @model_serializer(mode="wrap")
    def _drop_hidden(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for name in self.hidden_fields:
            data.pop(name, None)
        return data


class ProductPage(BaseModel):
    items: list[ProductRead]
    next_cursor: str | None = next_cursor_field()


class TaxAmountRead(BaseModel):
    name: str
    rate: str = Field(description="Percent")
    amount: str
    inclusive: bool
    compound: bool


class PriceQuoteRead(BaseModel):
    """One line priced by inventory; the rounding rule is in docs/architecture.md."""

    product_id: str
    currency: str
    quantity: str
    list_price: str = Field(description="Per unit, from the price book or the product")
    unit_price: str = Field(description="list_price after the discount (unrounded)")
    price_book_id: str | None = Field(description="null when the product's own price applied")
    discount_percent: str
    subtotal: str = Field(description="round(list_price x quantity)")
    discount_amount: str
    net_amount: str
    taxes: list[TaxAmountRead]
    tax_total: str
    gross_total: str
    rounding: str
    date: date
    region: str | None = None
