"""Payments: ``PaymentCreate / PaymentRead / PaymentPage``. Amounts are decimal
strings in the payment's currency."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from gateway.schemas.common import RequestBody, next_cursor_field

DecimalText = Annotated[str, StringConstraints(max_length=40)]


class AllocationIn(RequestBody):
    invoice_id: str = Field(description="An open invoice of the account, same currency")
    amount: DecimalText = Field(description="At most the invoice's balance")


class PaymentCreate(RequestBody):
    account_id: str
    amount: DecimalText
    currency: str = Field(description="ISO 4217")
    received_at: datetime | None = Field(default=None, description="Default: now")
    method: str = Field(default="other", description="bank_transfer | card | cash | cheque | other")
    reference: str = ""
    allocations: list[AllocationIn] = Field(default_factory=list)
    keep_credit: bool = Field(
        default=False, description="Keep what is not allocated as the customer's credit (else 422)"
    )


class AllocationRead(BaseModel):
    invoice_id: str
    amount: str


class PaymentRead(BaseModel):
    id: str
    account_id: str
    amount: str
    currency: str
    received_at: datetime | None = None
    method: str
    reference: str
    allocations: list[AllocationRead]
    unallocated: str = Field(description="Kept as the customer's credit")
    created_at: datetime | None = None
    created_by: str | None = None


class MoneyRead(BaseModel):
    amount: str
    currency: str


class PaymentPage(BaseModel):
    items: list[PaymentRead]
    next_cursor: str | None = next_cursor_field()
    credit: list[MoneyRead] = Field(
        default_factory=list,
        description="With account_id: the account's unallocated credit per currency",
    )
