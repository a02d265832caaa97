"""Vendors, purchase orders, receipt notes and bills: ``*Create / *Update /
*Read / *Page``. Money and quantities are decimal strings ("1234.50") in the
order's currency; inventory owns the value rules and names every bad field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.accounts import _Redacted
from gateway.schemas.common import RequestBody, next_cursor_field
from gateway.schemas.products import NotNull

DecimalText = Annotated[str, StringConstraints(max_length=40)]
OrderStatus = Literal["draft", "issued", "partially_received", "received", "cancelled"]
BillStatus = Literal["matched", "mismatch"]
VERSION_FIELD = Field(default=None, description="Expected version (or send If-Match); 409 if stale")
Version = Annotated[int, Field(ge=1)] | SkipJsonSchema[None]


class VendorCreate(RequestBody):
    name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    payment_terms_days: int | None = Field(default=None, description="0..365, default 30")
    currency: str = Field(description="ISO 4217: the default currency of its orders")
    active: bool = True


class VendorUpdate(NotNull):
    name: str | SkipJsonSchema[None] = None
    email: str | SkipJsonSchema[None] = None
    phone: str | SkipJsonSchema[None] = None
    address: str | SkipJsonSchema[None] = None
    payment_terms_days: int | SkipJsonSchema[None] = None
    currency: str | SkipJsonSchema[None] = None
    active: bool | SkipJsonSchema[None] = None
    version: Version = VERSION_FIELD


class VendorRead(_Redacted):
    id: str
    tenant_id: str
    name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    payment_terms_days: int = 0
    currency: str = ""
    active: bool = False
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class VendorPage(BaseModel):
    items: list[VendorRead]
    next_cursor: str | None = next_cursor_field()


class LineIn(RequestBody):
    product_id: str = Field(description="A stock-tracked product of your tenant")
    quantity: DecimalText = Field(description='Decimal > 0, e.g. "10"')
    unit_cost: DecimalText = Field(default="0", description="In the order's currency")


class PurchaseOrderCreate(RequestBody):
    vendor_id: str = Field(description="An active vendor")
    currency: str | None = Field(default=None, description="ISO 4217; default: the vendor's")
    warehouse_id: str = Field(description="An active warehouse: where the goods arrive")
    expected_date: date | None = None
    lines: list[LineIn] = Field(default_factory=list, description="Each product at most once")


class PurchaseOrderUpdate(NotNull):
    """A draft's fields; ``lines`` replaces every line."""

    vendor_id: str | SkipJsonSchema[None] = None
    currency: str | SkipJsonSchema[None] = None
    warehouse_id: str | SkipJsonSchema[None] = None
    expected_date: date | SkipJsonSchema[None] = None
    lines: list[LineIn] | SkipJsonSchema[None] = None
    version: Version = VERSION_FIELD


class ActionBody(RequestBody):
    """Optional body of issue and cancel."""

    version: Version = VERSION_FIELD


class ReceiveLineIn(RequestBody):
    line_id: str | None = Field(default=None, description="The order line, or")
    product_id: str | None = Field(default=None, description="its product")
    quantity: DecimalText = Field(description="> 0, at most ordered minus received")


class ReceiveBody(RequestBody):
    lines: list[ReceiveLineIn]
    warehouse_id: str | None = Field(default=None, description="Default: the order's")


class OrderLineRead(BaseModel):
    id: str
    position: int = 0
    product_id: str
    quantity: str
    unit_cost: str
    line_total: str
    received_quantity: str


class ReceiptLineRead(BaseModel):
    line_id: str
    product_id: str
    quantity: str


class ReceiptNoteRead(BaseModel):
    id: str
    purchase_order_id: str
    warehouse_id: str
    lines: list[ReceiptLineRead]
    received_at: datetime | None = None
    received_by: str | None = None


class PurchaseOrderRead(_Redacted):
    id: str
    tenant_id: str
    number: str
    vendor_id: str
    currency: str
    warehouse_id: str
    expected_date: date | None = None
    status: OrderStatus
    lines: list[OrderLineRead] = Field(default_factory=list)
    total: str = Field(default="", description="Sum of the rounded line totals")
    receipts: list[ReceiptNoteRead] = Field(default_factory=list)
    issued_at: datetime | None = None
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class PurchaseOrderPage(BaseModel):
    items: list[PurchaseOrderRead]
    next_cursor: str | None = next_cursor_field()


class ReceivedRead(BaseModel):
    receipt: ReceiptNoteRead
    purchase_order: PurchaseOrderRead


class BillCreate(RequestBody):
    purchase_order_id: str
    vendor_id: str | None = Field(default=None, description="Default: the order's vendor")
    vendor_reference: str = Field(description="The vendor's invoice number (409 if recorded)")
    bill_date: date | None = Field(default=None, description="Default: today (UTC)")
    lines: list[LineIn] = Field(description="Products of the order")


class BillLineRead(BaseModel):
    id: str
    position: int = 0
    product_id: str
    quantity: str
    unit_cost: str
    line_total: str
    ordered_unit_cost: str = Field(description="The order's unit cost")
    received_quantity: str = Field(description="Received for the product when recorded")
    billed_quantity: str = Field(description="Billed for the product so far, this bill included")
    quantity_mismatch: bool
    price_mismatch: bool


class BillRead(_Redacted):
    id: str
    tenant_id: str
    vendor_id: str
    purchase_order_id: str
    vendor_reference: str
    bill_date: date
    currency: str
    lines: list[BillLineRead]
    total: str = ""
    status: BillStatus
    version: int
    created_at: datetime | None = None
    created_by: str | None = None


class BillPage(BaseModel):
    items: list[BillRead]
    next_cursor: str | None = next_cursor_field()
