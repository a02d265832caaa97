"""Billing: where pb2 messages and billing's rows and commands meet."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from crm.inventory.v1 import billing_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.wire import parse_uuid, time_field, to_timestamp
from inventory.adapters.billing_repository import InvoiceFilters
from inventory.adapters.orm_billing import CreditNoteRow, InvoiceRow, PaymentRow
from inventory.domain.commands import UpdateRecord
from inventory.domain.invoices import STATUSES, InvoiceAction, InvoiceDraft, LineSpec, TaxSpec
from inventory.domain.payments import AllocationSpec, InstallmentSpec, NewPayment
from inventory.mappers import QUANTITY_PLACES, decimal_str, money_str, parse_date, parse_decimal
from inventory.service_layer.credit_notes import NewCreditNote
from inventory.service_layer.installments import NewPlan, PlanView

INVOICE_FIELDS = frozenset(
    {"account_id", "currency", "lines", "payment_terms_days", "due_date", "notes"}
)


def _uuid_or_none(text: str, field: str) -> uuid.UUID | None:
    return parse_uuid(text, field) if text.strip() else None


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _tax(t: pb.InvoiceTax, at: str) -> TaxSpec:
    rate = parse_decimal(t.rate or "0", f"{at}.rate", places=4)
    return TaxSpec(t.name.strip() or "Tax", rate, t.inclusive, t.compound)


def line_spec(line: pb.InvoiceLineInput, i: int) -> LineSpec:
    at = f"lines[{i}]"
    taxes = tuple(_tax(t, f"{at}.taxes[{k}]") for k, t in enumerate(line.taxes))
    if not taxes and line.tax_rate.strip():
        rate = parse_decimal(line.tax_rate, f"{at}.tax_rate", places=4)
        taxes = (TaxSpec("Tax", rate),) if rate else ()
    return LineSpec(
        description=line.description,
        quantity=parse_decimal(line.quantity or "1", f"{at}.quantity", places=QUANTITY_PLACES),
        unit_price=parse_decimal(line.unit_price or "0", f"{at}.unit_price"),
        discount=parse_decimal(line.discount or "0", f"{at}.discount", places=4),
        taxes=taxes,
        product_id=_uuid_or_none(line.product_id, f"{at}.product_id"),
    )


def create_invoice_cmd(req: pb.CreateInvoiceRequest) -> InvoiceDraft:
    return InvoiceDraft(
        account_id=parse_uuid(req.account_id, "account_id"),
        currency=req.currency,
        lines=tuple(line_spec(line, i) for i, line in enumerate(req.lines)),
        order_id=_uuid_or_none(req.order_id, "order_id"),
        deal_id=_uuid_or_none(req.deal_id, "deal_id"),
        payment_terms_days=(req.payment_terms_days if req.HasField("payment_terms_days") else None),
        due_date=parse_date(req.due_date, "due_date"),
        notes=req.notes,
    )


def _update_value(req: pb.UpdateInvoiceRequest, name: str) -> Any:
    if name == "account_id":
        return parse_uuid(req.account_id, "account_id")
    if name == "lines":
        return [line_spec(line, i) for i, line in enumerate(req.lines)]
    if name == "due_date":
        return parse_date(req.due_date, "due_date")
    return getattr(req, name)


def update_invoice_cmd(req: pb.UpdateInvoiceRequest) -> UpdateRecord:
    unknown = set(req.update_mask) - INVOICE_FIELDS
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")
    changes = {name: _update_value(req, name) for name in req.update_mask}
    return UpdateRecord(parse_uuid(req.id), changes, req.expected_version)


def action_cmd(req: pb.InvoiceActionRequest) -> InvoiceAction:
    return InvoiceAction(parse_uuid(req.id), req.expected_version, req.reason)


def invoice_filters(req: pb.ListInvoicesRequest) -> InvoiceFilters:
    status = req.status.strip().lower()
    if status and status not in STATUSES:
        raise InvalidArgument.for_field("status", f"one of {', '.join(STATUSES)}")
    return InvoiceFilters(
        status=status,
        account_id=_uuid_or_none(req.account_id, "account_id"),
        order_id=_uuid_or_none(req.order_id, "order_id"),
        deal_id=_uuid_or_none(req.deal_id, "deal_id"),
    )


def _tax_pb(tax: dict[str, Any], currency: str) -> pb.InvoiceTax:
    return pb.InvoiceTax(
        name=tax["name"], rate=decimal_str(Decimal(tax["rate"])),
        amount=money_str(Decimal(tax["amount"]), currency), inclusive=bool(tax["inclusive"]),
        compound=bool(tax["compound"]),
    )  # fmt: skip


def invoice_to_pb(row: InvoiceRow) -> pb.Invoice:
    c = row.currency
    lines = [
        pb.InvoiceLine(
            id=str(x.id), product_id=str(x.product_id or ""), description=x.description,
            quantity=decimal_str(x.quantity), unit_price=money_str(x.unit_price, c),
            discount=decimal_str(x.discount_percent), tax_rate=decimal_str(x.tax_rate),
            subtotal=money_str(x.subtotal, c), discount_amount=money_str(x.discount_amount, c),
            net_amount=money_str(x.net_amount, c), taxes=[_tax_pb(t, c) for t in x.taxes],
            tax_amount=money_str(x.tax_amount, c), line_total=money_str(x.line_total, c),
        )
        for x in row.lines
    ]  # fmt: skip
    amounts = ("subtotal", "tax_total", "total", "amount_paid", "amount_credited", "balance")
    return pb.Invoice(
        id=str(row.id), tenant_id=str(row.tenant_id), number=row.number or "",
        account_id=str(row.account_id), order_id=str(row.order_id or ""),
        deal_id=str(row.deal_id or ""), source=row.source, currency=c, lines=lines,
        **{name: money_str(getattr(row, name), c) for name in amounts},
        status=row.status, issue_date=_day(row.issue_date), due_date=_day(row.due_date),
        payment_terms_days=row.payment_terms_days, notes=row.notes, version=row.version,
        created_at=to_timestamp(row.created_at), updated_at=to_timestamp(row.updated_at),
        created_by=str(row.created_by or ""), updated_by=str(row.updated_by or ""),
    )  # fmt: skip


def credit_note_cmd(req: pb.CreateCreditNoteRequest) -> NewCreditNote:
    return NewCreditNote(
        parse_uuid(req.invoice_id, "invoice_id"),
        parse_decimal(req.amount, "amount"),
        req.reason,
    )


def credit_note_to_pb(row: CreditNoteRow) -> pb.CreditNote:
    return pb.CreditNote(
        id=str(row.id), number=row.number, invoice_id=str(row.invoice_id),
        account_id=str(row.account_id), currency=row.currency,
        amount=money_str(row.amount, row.currency), reason=row.reason,
        issue_date=_day(row.issue_date), created_at=to_timestamp(row.created_at),
        created_by=str(row.created_by or ""),
    )  # fmt: skip


def payment_cmd(req: pb.CreatePaymentRequest) -> NewPayment:
    allocations = tuple(
        AllocationSpec(
            parse_uuid(a.invoice_id, f"allocations[{i}].invoice_id"),
            parse_decimal(a.amount, f"allocations[{i}].amount"),
        )
        for i, a in enumerate(req.allocations)
    )
    return NewPayment(
        account_id=parse_uuid(req.account_id, "account_id"),
        amount=parse_decimal(req.amount, "amount"),
        currency=req.currency,
        received_at=time_field(req, "received_at") or datetime.now(UTC),
        method=req.method.strip().lower() or "other",
        reference=req.reference,
        allocations=allocations,
        keep_credit=req.keep_credit,
    )


def payment_to_pb(row: PaymentRow) -> pb.Payment:
    c = row.currency
    return pb.Payment(
        id=str(row.id), account_id=str(row.account_id), amount=money_str(row.amount, c),
        currency=c, received_at=to_timestamp(row.received_at), method=row.method,
        reference=row.reference, unallocated=money_str(row.unallocated, c),
        allocations=[
            pb.Allocation(invoice_id=str(a.invoice_id), amount=money_str(a.amount, c))
            for a in row.allocations
        ],
        created_at=to_timestamp(row.created_at), created_by=str(row.created_by or ""),
    )  # fmt: skip


def plan_cmd(req: pb.CreateInstallmentPlanRequest) -> NewPlan:
    specs = []
    for i, item in enumerate(req.installments):
        due = parse_date(item.due_date, f"installments[{i}].due_date")
        if due is None:
            raise InvalidArgument.for_field(f"installments[{i}].due_date", "required")
        specs.append(InstallmentSpec(due, parse_decimal(item.amount, f"installments[{i}].amount")))
    return NewPlan(parse_uuid(req.invoice_id, "invoice_id"), tuple(specs))


def plan_to_pb(view: PlanView) -> pb.InstallmentPlan:
    row, c = view.row, view.row.currency
    return pb.InstallmentPlan(
        id=str(row.id), invoice_id=str(row.invoice_id), currency=c,
        installments=[
            pb.Installment(due_date=_day(i.due_date), amount=money_str(i.amount, c),
                           paid_amount=money_str(s.paid_amount, c), status=s.status)
            for i, s in zip(row.installments, view.states, strict=True)
        ],
        created_at=to_timestamp(row.created_at),
    )  # fmt: skip


def optional_uuid(text: str, field: str) -> uuid.UUID | None:
    return _uuid_or_none(text, field)
