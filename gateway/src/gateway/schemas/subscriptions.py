"""Subscriptions, recurring invoices and billing transactions: ``*Create /
*Update / *Read / *Page``. Money and quantities are decimal strings in the
record's currency; inventory owns the rules (periods, renewal, pricing)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator
from pydantic.json_schema import SkipJsonSchema

from gateway.schemas.common import RequestBody, next_cursor_field
from gateway.schemas.invoices import VERSION_FIELD, DecimalText, InvoiceLineIn, TaxIn

Period = Literal["month", "quarter", "year"]
ScheduleStatus = Literal["active", "cancelled", "ended"]
InvoiceMode = Literal["draft", "issue"]
Version = Annotated[int, Field(ge=1)] | SkipJsonSchema[None]
PERIOD = Field(description="month | quarter | year, anchored to start_date (Jan 31 -> Feb 28)")
START = Field(default=None, description="First day billed; default today (UTC); may be past")
END = Field(default=None, description="Last day of the term; periods starting by then are billed")
RENEW = Field(default=False, description="At end_date, extend by the first term's length")
MODE_TEXT = "Generated invoices stay drafts, or are issued with the next number"
TERMS = Field(default=None, description="Of the generated invoices; default 30")


class PartialUpdate(RequestBody):
    """Leave a field out to keep it; null is refused, except ``end_date`` (null:
    open-ended)."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.field_name != "end_date":
            raise ValueError("must not be null; leave the field out to keep it")
        return value


class SubscriptionCreate(RequestBody):
    account_id: str
    product_id: str | None = Field(default=None, description="A product of the catalogue")
    description: str = Field(default="", description="Required without a product_id")
    quantity: DecimalText = "1"
    price: DecimalText = Field(description="Per unit and period")
    currency: str = Field(description="ISO 4217")
    tax_rate: DecimalText = Field(default="0", description="Percent: one exclusive tax")
    taxes: list[TaxIn] = Field(default_factory=list, description="Instead of tax_rate")
    period: Period = PERIOD
    start_date: date | None = START
    end_date: date | None = END
    auto_renew: bool = RENEW
    invoice_mode: InvoiceMode = Field(default="draft", description=MODE_TEXT)
    payment_terms_days: int | None = TERMS


class SubscriptionUpdate(PartialUpdate):
    """Applies to periods not yet billed."""

    description: str | SkipJsonSchema[None] = None
    product_id: str | SkipJsonSchema[None] = None
    quantity: DecimalText | SkipJsonSchema[None] = None
    price: DecimalText | SkipJsonSchema[None] = None
    tax_rate: DecimalText | SkipJsonSchema[None] = None
    taxes: list[TaxIn] | SkipJsonSchema[None] = None
    end_date: date | None = END
    auto_renew: bool | SkipJsonSchema[None] = None
    invoice_mode: InvoiceMode | SkipJsonSchema[None] = None
    payment_terms_days: int | SkipJsonSchema[None] = None
    version: Version = VERSION_FIELD


class SubscriptionCancel(RequestBody):
    at: Literal["period_end", "immediately"] = Field(
        default="period_end",
        description="period_end: bill through the period containing today, then stop; "
        "immediately: no further invoice (those made stay; credit notes correct them)",
    )
    reason: str = ""
    version: Version = VERSION_FIELD


class RateRead(BaseModel):
    name: str
    rate: str = Field(description="Percent")
    inclusive: bool
    compound: bool


class ScheduleRead(BaseModel):
    id: str
    tenant_id: str
    account_id: str
    currency: str
    period: Period
    start_date: date
    end_date: date | None
    auto_renew: bool
    status: ScheduleStatus
    next_period_start: date = Field(description="The next period to bill")
    invoice_mode: InvoiceMode
    payment_terms_days: int
    periods_billed: int
    term_periods: int = Field(description="Periods a renewal adds (0: open-ended)")
    version: int
    created_at: datetime | None = None
    updated_at: datetime | None = None
    created_by: str | None = None
    updated_by: str | None = None


class SubscriptionRead(ScheduleRead):
    product_id: str | None
    description: str
    quantity: str
    price: str
    tax_rate: str = Field(description="Percent: the sum of the taxes' rates")
    taxes: list[RateRead]
    cancelled_at: datetime | None = None
    cancel_reason: str


class SubscriptionPage(BaseModel):
    items: list[SubscriptionRead]
    next_cursor: str | None = next_cursor_field()


class RecurringInvoiceCreate(RequestBody):
    account_id: str
    currency: str = Field(description="ISO 4217")
    lines: list[InvoiceLineIn] = Field(description="The template, at least one line")
    notes: str = ""
    period: Period = PERIOD
    start_date: date | None = START
    end_date: date | None = END
    auto_renew: bool = RENEW
    invoice_mode: InvoiceMode = Field(default="draft", description=MODE_TEXT)
    payment_terms_days: int | None = TERMS


class RecurringInvoiceUpdate(PartialUpdate):
    """Applies to periods not yet billed; ``status: cancelled`` stops it."""

    lines: list[InvoiceLineIn] | SkipJsonSchema[None] = None
    notes: str | SkipJsonSchema[None] = None
    payment_terms_days: int | SkipJsonSchema[None] = None
    end_date: date | None = END
    auto_renew: bool | SkipJsonSchema[None] = None
    invoice_mode: InvoiceMode | SkipJsonSchema[None] = None
    status: Literal["cancelled"] | SkipJsonSchema[None] = None
    version: Version = VERSION_FIELD


class TemplateLineRead(BaseModel):
    product_id: str | None
    description: str
    quantity: str
    unit_price: str
    discount: str
    tax_rate: str
    taxes: list[RateRead]


class RecurringInvoiceRead(ScheduleRead):
    lines: list[TemplateLineRead]
    notes: str


class RecurringInvoicePage(BaseModel):
    items: list[RecurringInvoiceRead]
    next_cursor: str | None = next_cursor_field()


class TransactionRead(BaseModel):
    id: str
    kind: Literal["invoice_issued", "payment", "credit_note", "invoice_voided"]
    account_id: str
    invoice_id: str | None
    subscription_id: str | None
    recurring_invoice_id: str | None
    payment_id: str | None
    credit_note_id: str | None
    amount: str = Field(description="Signed: + owed (issued), - paid, credited or voided")
    currency: str
    at: datetime


class TransactionPage(BaseModel):
    items: list[TransactionRead]
    next_cursor: str | None = next_cursor_field()
