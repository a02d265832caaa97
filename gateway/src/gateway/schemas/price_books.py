"""Price books and tax rates: ``*Create / *Update / *Read / *Page``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody, next_cursor_field
from gateway.schemas.products import DECIMAL, VERSION_FIELD


class EntryBody(RequestBody):
    product_id: str
    list_price: str = Field(description=DECIMAL)
    min_quantity: str = Field(default="1", description="Tier: applies from this quantity on")


class PriceBookCreate(RequestBody):
    name: str
    currency: str = Field(description="ISO 4217; every list price is in it")
    is_standard: bool = Field(
        default=False, description="Standard books price quotes that name no book"
    )
    active: bool = True
    valid_from: date | None = None
    valid_to: date | None = Field(default=None, description="Inclusive")
    entries: list[EntryBody] = Field(default_factory=list)


NULLABLE = frozenset({"valid_from", "valid_to"})  # null opens the validity at that end


class PriceBookUpdate(RequestBody):
    """Partial update: leave a field out to keep it; ``entries`` replaces all
    entries; ``valid_from``/``valid_to`` null removes that bound."""

    name: str | SkipJsonSchema[None] = None
    currency: str | SkipJsonSchema[None] = None
    is_standard: bool | SkipJsonSchema[None] = None
    active: bool | SkipJsonSchema[None] = None
    valid_from: date | None = None
    valid_to: date | None = None
    entries: list[EntryBody] | SkipJsonSchema[None] = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD

    @field_validator("name", "currency", "is_standard", "active", "entries", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class EntryRead(BaseModel):
    product_id: str
    list_price: str
    min_quantity: str


class PriceBookRead(BaseModel):
    id: str
    tenant_id: str
    name: str
    currency: str
    is_standard: bool
    active: bool
    valid_from: date | None = None
    valid_to: date | None = None
    entries: list[EntryRead]
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class PriceBookPage(BaseModel):
    items: list[PriceBookRead]
    next_cursor: str | None = next_cursor_field()


class TaxRateCreate(RequestBody):
    tax_class: str = "standard"
    region: str = Field(description='ISO country or subdivision, e.g. "NL", "US-CA"')
    name: str
    rate: str = Field(description='Percent as a decimal string, e.g. "21.00"')
    inclusive: bool = Field(default=False, description="Prices of this tax class include it")
    compound: bool = Field(default=False, description="Applied on price + the taxes before it")
    position: int = Field(default=0, ge=0, le=10000, description="Order of application")


class TaxRateRead(BaseModel):
    id: str
    tenant_id: str
    tax_class: str
    region: str
    name: str
    rate: str
    inclusive: bool
    compound: bool
    position: int
    created_at: datetime | None = None


class TaxRatePage(BaseModel):
    items: list[TaxRateRead]
    next_cursor: str | None = next_cursor_field()
