"""Invoices, credit notes and installment plans: ``*Create / *Update / *Read /
*Page``. Money, quantities and percents are decimal strings ("1234.50") in the
invoice's currency; a JSON number is refused, because a float has already lost
the cent. Inventory owns the value rules and the rounding (per line, half-up)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody, next_cursor_field
from gateway.schemas.products import NotNull

DecimalText = Annotated[str, StringConstraints(max_length=40)]
InvoiceStatus = Literal["draft", "issued", "partially_paid", "paid", "overdue", "void"]
VERSION_FIELD = Field(default=None, description="Expected version (or send If-Match); 409 if stale")


class TaxIn(RequestBody):
    name: str = "Tax"
    rate: DecimalText = Field(description="Percent")
    inclusive: bool = Field(default=False, description="The unit price already contains it")
    compound: bool = Field(default=False, description="Also on the taxes before it")


class InvoiceLineIn(RequestBody):
    product_id: str | None = None
    description: str = Field(default="", description="Required without a product_id")
    quantity: DecimalText = "1"
    unit_price: DecimalText = Field(description="Per unit, before the discount")
    discount: DecimalText = Field(default="0", description="Percent, 0..100")
    tax_rate: DecimalText = Field(default="0", description="Percent: one exclusive tax")
    taxes: list[TaxIn] = Field(
        default_factory=list, description="Instead of tax_rate: inclusive or compound taxes"
    )


class InvoiceCreate(RequestBody):
    account_id: str
    order_id: str | None = None
    deal_id: str | None = None
    currency: str = Field(description="ISO 4217")
    lines: list[InvoiceLineIn] = Field(default_factory=list)
    payment_terms_days: int | None = Field(default=None, description="Default 30")
    due_date: date | None = Field(default=None, description="Default: issue date + terms")
    notes: str = ""


class InvoiceUpdate(NotNull):
    """Partial update of a draft (an issued invoice answers 409)."""

    account_id: str | SkipJsonSchema[None] = None
    currency: str | SkipJsonSchema[None] = None
    lines: list[InvoiceLineIn] | SkipJsonSchema[None] = None
    payment_terms_days: int | SkipJsonSchema[None] = None
    due_date: date | SkipJsonSchema[None] = None
    notes: str | SkipJsonSchema[None] = None
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD


class InvoiceActionBody(RequestBody):
    reason: str = ""
    version: Annotated[int, Field(ge=1)] | SkipJsonSchema[None] = VERSION_FIELD


class TaxRead(BaseModel):
    name: str
    rate: str
    amount: str
    inclusive: bool
    compound: bool


class InvoiceLineRead(BaseModel):
    id: str
    product_id: str | None
    description: str
    quantity: str
    unit_price: str
    discount: str = Field(description="Percent")
    tax_rate: str = Field(description="Percent: the sum of the line's rates")
    subtotal: str = Field(description="round(unit_price x quantity)")
    discount_amount: str
    net_amount: str
    taxes: list[TaxRead]
    tax_amount: str
    line_total: str = Field(description="net_amount + tax_amount")


class InvoiceRead(BaseModel):
    id: str
    tenant_id: str
    number: str | None = Field(description="INV-2026-000123, given at issue; null while draft")
    account_id: str
    order_id: str | None
    deal_id: str | None
    source: str = Field(description="manual | order | deal")
    currency: str
    lines: list[InvoiceLineRead]
    subtotal: str = Field(description="Sum of the lines' net amounts")
    tax_total: str
    total: str
    amount_paid: str
    amount_credited: str
    balance: str
    status: InvoiceStatus
    issue_date: date | None
    due_date: date | None
    payment_terms_days: int
    notes: str
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class InvoicePage(BaseModel):
    items: list[InvoiceRead]
    next_cursor: str | None = next_cursor_field()


class CreditNoteCreate(RequestBody):
    invoice_id: str
    amount: DecimalText = Field(description="At most the invoice's balance")
    reason: str


class CreditNoteRead(BaseModel):
    id: str
    number: str = Field(description="CN-2026-000001")
    invoice_id: str
    account_id: str
    currency: str
    amount: str
    reason: str
    issue_date: date
    created_at: datetime | None = None
    created_by: str | None = None


class CreditNotePage(BaseModel):
    items: list[CreditNoteRead]
    next_cursor: str | None = next_cursor_field()


class InstallmentIn(RequestBody):
    due_date: date
    amount: DecimalText


class InstallmentRead(BaseModel):
    due_date: date
    amount: str
    paid_amount: str = Field(description="Covered by payments and credits, earliest first")
    status: Literal["pending", "partially_paid", "paid", "overdue"]


class InstallmentPlanCreate(RequestBody):
    invoice_id: str
    installments: list[InstallmentIn] = Field(description="Summing to the invoice's total")


class InstallmentPlanRead(BaseModel):
    id: str
    invoice_id: str
    currency: str
    installments: list[InstallmentRead]
    created_at: datetime | None = None


class InstallmentPlanPage(BaseModel):
    items: list[InstallmentPlanRead]
    next_cursor: str | None = next_cursor_field()
