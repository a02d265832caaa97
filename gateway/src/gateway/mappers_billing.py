"""Invoices, credit notes, payments, installment plans: pb2 <-> schema
conversion, the one place for them."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from crm.inventory.v1 import billing_pb2 as pb
from gateway.proto_json import plain
from gateway.schemas.invoices import (
    CreditNoteCreate,
    CreditNoteRead,
    InstallmentPlanCreate,
    InstallmentPlanRead,
    InvoiceCreate,
    InvoiceLineIn,
    InvoiceRead,
    InvoiceUpdate,
)
from gateway.schemas.payments import PaymentCreate, PaymentRead

# Empty strings on the wire that are null in JSON.
OPTIONAL = frozenset(
    {"number", "order_id", "deal_id", "product_id", "issue_date", "due_date", "created_by",
     "updated_by"}
)  # fmt: skip
INVOICE_UPDATABLE = ("account_id", "currency", "lines", "payment_terms_days", "due_date", "notes")


def _plain(message: Message) -> dict[str, Any]:
    return plain(message, OPTIONAL)


def invoice_read(message: pb.Invoice) -> InvoiceRead:
    return InvoiceRead.model_validate(_plain(message))


def credit_note_read(message: pb.CreditNote) -> CreditNoteRead:
    return CreditNoteRead.model_validate(_plain(message))


def payment_read(message: pb.Payment) -> PaymentRead:
    return PaymentRead.model_validate(_plain(message))


def plan_read(message: pb.InstallmentPlan) -> InstallmentPlanRead:
    return InstallmentPlanRead.model_validate(_plain(message))


def _lines(lines: list[InvoiceLineIn]) -> list[pb.InvoiceLineInput]:
    return [
        pb.InvoiceLineInput(
            **line.model_dump(exclude={"product_id", "taxes"}),
            product_id=line.product_id or "",
            taxes=[pb.InvoiceTax(**tax.model_dump()) for tax in line.taxes],
        )
        for line in lines
    ]


def create_invoice_request(body: InvoiceCreate) -> pb.CreateInvoiceRequest:
    request = pb.CreateInvoiceRequest(
        account_id=body.account_id, order_id=body.order_id or "", deal_id=body.deal_id or "",
        currency=body.currency, lines=_lines(body.lines),
        due_date=body.due_date.isoformat() if body.due_date else "", notes=body.notes,
    )  # fmt: skip
    if body.payment_terms_days is not None:
        request.payment_terms_days = body.payment_terms_days
    return request


def update_invoice_request(
    invoice_id: str, body: InvoiceUpdate, version: int
) -> pb.UpdateInvoiceRequest:
    present = [name for name in INVOICE_UPDATABLE if name in body.model_fields_set]
    values: dict[str, Any] = {}
    for name in present:
        value = getattr(body, name)
        if name == "lines":
            value = _lines(value)
        elif name == "due_date":
            value = value.isoformat()
        values[name] = value
    return pb.UpdateInvoiceRequest(
        id=invoice_id, update_mask=present, expected_version=version, **values
    )


def credit_note_request(body: CreditNoteCreate) -> pb.CreateCreditNoteRequest:
    return pb.CreateCreditNoteRequest(**body.model_dump())


def payment_request(body: PaymentCreate) -> pb.CreatePaymentRequest:
    request = pb.CreatePaymentRequest(
        account_id=body.account_id, amount=body.amount, currency=body.currency,
        method=body.method, reference=body.reference, keep_credit=body.keep_credit,
        allocations=[pb.Allocation(**a.model_dump()) for a in body.allocations],
    )  # fmt: skip
    if body.received_at is not None:
        stamp = Timestamp()
        stamp.FromDatetime(body.received_at)
        request.received_at.CopyFrom(stamp)
    return request


def plan_request(body: InstallmentPlanCreate) -> pb.CreateInstallmentPlanRequest:
    return pb.CreateInstallmentPlanRequest(
        invoice_id=body.invoice_id,
        installments=[
            pb.Installment(due_date=i.due_date.isoformat(), amount=i.amount)
            for i in body.installments
        ],
    )
