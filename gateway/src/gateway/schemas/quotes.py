"""Quotes and sales orders: ``*Create / *Update / *Read / *Page``. Money,
quantities and percents are decimal strings ("1234.50") in the document's currency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.accounts import _Redacted
from gateway.schemas.common import RequestBody, next_cursor_field

DecimalText = Annotated[str, StringConstraints(max_length=40)]
QuoteStatus = Literal["draft", "sent", "accepted", "rejected", "expired"]
OrderStatus = Literal["draft", "confirmed", "reserved", "insufficient_stock", "cancelled"]
VERSION_FIELD = Field(default=None, description="Expected version (or send If-Match); 409 if stale")


class LineIn(RequestBody):
    product_id: str = Field(description="A product of inventory")
    quantity: DecimalText = Field(default="1", description='Decimal > 0, e.g. "2.5"')
    discount_percent: DecimalText = Field(default="0", description="0..100")
    description: str = ""


class QuoteCreate(RequestBody):
    name: str
    account_id: str = Field(description="An account you may see")
    contact_id: str | None = Field(default=None, description="A contact of that account")
    deal_id: str | None = Field(default=None, description="A deal you may see")
    owner_id: str | None = Field(default=None, description="Default: you (API keys must give one)")
    currency: str = Field(description="ISO 4217; every line is priced in it")
    price_book_id: str | None = Field(default=None, description="Default: the standard books")
    region: str = Field(default="", description='Tax region: "NL", "US-CA"; empty: no taxes')
    valid_until: date | None = Field(default=None, description="Default: today + 30 days")
    lines: list[LineIn] = Field(default_factory=list)


class QuoteUpdate(RequestBody):
    """Partial update of a draft: only the fields present change; ``null`` clears a
    link. A new region or price book prices the lines again."""

    name: str | SkipJsonSchema[None] = None
    valid_until: date | SkipJsonSchema[None] = None
    contact_id: str | None = None
    deal_id: str | None = None
    region: str | SkipJsonSchema[None] = None
    price_book_id: str | None = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD


class QuoteLinesPut(RequestBody):
    lines: list[LineIn]
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD


class ActionBody(RequestBody):
    """Optional body of the state-changing POSTs."""

    reason: Annotated[str, StringConstraints(max_length=2000)] = ""
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD


class TaxRead(BaseModel):
    name: str
    rate: str
    amount: str
    inclusive: bool = False
    compound: bool = False


class LineRead(BaseModel):
    id: str
    position: int = 0
    product_id: str
    description: str = ""
    quantity: str
    discount_percent: str
    list_price: str
    unit_price: str = Field(description="List price after the discount (unrounded)")
    subtotal: str
    discount_amount: str
    net_amount: str
    taxes: list[TaxRead] = Field(default_factory=list)
    tax_total: str
    gross_total: str
    price_book_id: str | None = None


class TotalsRead(BaseModel):
    subtotal: str
    discount_total: str
    net_total: str
    tax_total: str
    gross_total: str
    currency: str


class QuoteRead(_Redacted):
    id: str
    tenant_id: str
    number: str
    name: str = ""
    account_id: str
    contact_id: str | None = None
    deal_id: str | None = None
    owner_id: str
    currency: str
    price_book_id: str | None = None
    region: str = ""
    valid_until: date
    status: QuoteStatus
    approval_status: Literal["not_required", "required", "pending", "approved", "rejected"]
    approved_by: str | None = None
    approval_threshold_percent: str = Field(description="A line discount above it needs approval")
    max_discount_percent: str = "0"
    priced_on: date | None = None
    lines: list[LineRead] = Field(default_factory=list)
    totals: TotalsRead
    order_id: str | None = Field(default=None, description="The order made when accepted")
    sent_at: datetime | None = None
    decided_at: datetime | None = None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class QuotePage(BaseModel):
    items: list[QuoteRead]
    next_cursor: str | None = next_cursor_field()


class OrderStatusChangeRead(BaseModel):
    from_status: str | None = None
    to_status: str
    reason: str = ""
    changed_at: datetime | None = None
    changed_by: str | None = None


class SalesOrderRead(_Redacted):
    id: str
    tenant_id: str
    number: str
    quote_id: str
    account_id: str
    contact_id: str | None = None
    deal_id: str | None = None
    owner_id: str
    currency: str
    region: str = ""
    lines: list[LineRead] = Field(default_factory=list)
    totals: TotalsRead
    status: OrderStatus
    status_history: list[OrderStatusChangeRead] = Field(default_factory=list)
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class SalesOrderPage(BaseModel):
    items: list[SalesOrderRead]
    next_cursor: str | None = next_cursor_field()


class QuoteAccepted(BaseModel):
    quote: QuoteRead
    order: SalesOrderRead
