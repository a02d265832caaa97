"""Subscriptions, recurring invoices, transactions: pb2 <-> schema conversion,
the one place for them."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message
from pydantic import BaseModel

from crm.inventory.v1 import billing_pb2
from crm.inventory.v1 import subscriptions_pb2 as pb
from gateway.proto_json import plain
from gateway.schemas.invoices import InvoiceLineIn, TaxIn
from gateway.schemas.subscriptions import (
    RecurringInvoiceCreate,
    RecurringInvoiceRead,
    RecurringInvoiceUpdate,
    SubscriptionCreate,
    SubscriptionRead,
    SubscriptionUpdate,
    TransactionRead,
)

# Empty strings on the wire that are null in JSON.
OPTIONAL = frozenset(
    {"product_id", "end_date", "created_by", "updated_by", "invoice_id", "subscription_id",
     "recurring_invoice_id", "payment_id", "credit_note_id"}
)  # fmt: skip
SUBSCRIPTION_UPDATABLE = (
    "description", "product_id", "quantity", "price", "tax_rate", "taxes", "end_date",
    "auto_renew", "invoice_mode", "payment_terms_days",
)  # fmt: skip
RECURRING_UPDATABLE = (
    "lines", "notes", "payment_terms_days", "end_date", "auto_renew", "invoice_mode", "status",
)  # fmt: skip


def _plain(message: Message) -> dict[str, Any]:
    return plain(message, OPTIONAL)


def subscription_read(message: pb.Subscription) -> SubscriptionRead:
    return SubscriptionRead.model_validate(_plain(message))


def recurring_read(message: pb.RecurringInvoice) -> RecurringInvoiceRead:
    return RecurringInvoiceRead.model_validate(_plain(message))


def transaction_read(message: pb.Transaction) -> TransactionRead:
    return TransactionRead.model_validate(_plain(message))


def _taxes(taxes: list[TaxIn]) -> list[billing_pb2.InvoiceTax]:
    return [billing_pb2.InvoiceTax(**tax.model_dump()) for tax in taxes]


def _lines(lines: list[InvoiceLineIn]) -> list[billing_pb2.InvoiceLineInput]:
    return [
        billing_pb2.InvoiceLineInput(
            **line.model_dump(exclude={"product_id", "taxes"}),
            product_id=line.product_id or "", taxes=_taxes(line.taxes),
        )
        for line in lines
    ]  # fmt: skip


def _schedule(body: SubscriptionCreate | RecurringInvoiceCreate) -> dict[str, Any]:
    values: dict[str, Any] = {
        "account_id": body.account_id, "currency": body.currency, "period": body.period,
        "start_date": body.start_date.isoformat() if body.start_date else "",
        "end_date": body.end_date.isoformat() if body.end_date else "",
        "auto_renew": body.auto_renew, "invoice_mode": body.invoice_mode,
    }  # fmt: skip
    if body.payment_terms_days is not None:
        values["payment_terms_days"] = body.payment_terms_days
    return values


def create_subscription_request(body: SubscriptionCreate) -> pb.CreateSubscriptionRequest:
    return pb.CreateSubscriptionRequest(
        **_schedule(body), product_id=body.product_id or "", description=body.description,
        quantity=body.quantity, price=body.price, tax_rate=body.tax_rate,
        taxes=_taxes(body.taxes),
    )  # fmt: skip


def create_recurring_request(body: RecurringInvoiceCreate) -> pb.CreateRecurringInvoiceRequest:
    return pb.CreateRecurringInvoiceRequest(
        **_schedule(body), lines=_lines(body.lines), notes=body.notes
    )


def _changes(body: BaseModel, names: tuple[str, ...]) -> tuple[list[str], dict[str, Any]]:
    """The update mask (fields the client sent) and their wire values."""
    present = [name for name in names if name in body.model_fields_set]
    values: dict[str, Any] = {}
    for name in present:
        value = getattr(body, name)
        if name == "taxes":
            value = _taxes(value)
        elif name == "lines":
            value = _lines(value)
        elif name == "end_date":
            value = value.isoformat() if value else ""
        values[name] = value
    return present, values


def update_subscription_request(
    record_id: str, body: SubscriptionUpdate, version: int
) -> pb.UpdateSubscriptionRequest:
    mask, values = _changes(body, SUBSCRIPTION_UPDATABLE)
    return pb.UpdateSubscriptionRequest(
        id=record_id, update_mask=mask, expected_version=version, **values
    )


def update_recurring_request(
    record_id: str, body: RecurringInvoiceUpdate, version: int
) -> pb.UpdateRecurringInvoiceRequest:
    mask, values = _changes(body, RECURRING_UPDATABLE)
    return pb.UpdateRecurringInvoiceRequest(
        id=record_id, update_mask=mask, expected_version=version, **values
    )
