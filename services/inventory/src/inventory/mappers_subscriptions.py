"""Subscriptions, recurring invoices, transactions: where pb2 messages and their
rows and commands meet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from crm.inventory.v1 import billing_pb2
from crm.inventory.v1 import subscriptions_pb2 as pb
from crm_common.errors import InvalidArgument
from crm_common.wire import parse_uuid, to_timestamp
from inventory.adapters.orm_subscriptions import (
    BillingTransactionRow,
    RecurringInvoiceRow,
    SubscriptionRow,
)
from inventory.adapters.subscription_repository import ScheduleFilters
from inventory.domain import recurring_lines as lines
from inventory.domain.commands import CreateRecord, UpdateRecord
from inventory.domain.invoices import TaxSpec
from inventory.domain.subscriptions import STATUSES, CancelSubscription
from inventory.mappers import QUANTITY_PLACES, decimal_str, money_str, parse_date, parse_decimal
from inventory.mappers_billing import line_spec, optional_uuid
from inventory.service_layer.transactions import TransactionFilters

SUBSCRIPTION_FIELDS = frozenset(
    {"description", "product_id", "quantity", "price", "tax_rate", "taxes", "end_date",
     "auto_renew", "invoice_mode", "payment_terms_days"}
)  # fmt: skip
RECURRING_FIELDS = frozenset(
    {"lines", "notes", "payment_terms_days", "end_date", "auto_renew", "invoice_mode", "status"}
)


def _taxes(tax_rate: str, taxes: Sequence[billing_pb2.InvoiceTax]) -> tuple[TaxSpec, ...]:
    """``taxes`` (inclusive/compound allowed), else one exclusive ``tax_rate``."""
    parsed = tuple(
        TaxSpec(t.name.strip() or "Tax", parse_decimal(t.rate or "0", f"taxes[{k}].rate", places=4),
                t.inclusive, t.compound)
        for k, t in enumerate(taxes)
    )  # fmt: skip
    if parsed or not tax_rate.strip():
        return parsed
    rate = parse_decimal(tax_rate, "tax_rate", places=4)
    return (TaxSpec("Tax", rate),) if rate else ()


def _schedule_values(req: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "account_id": parse_uuid(req.account_id, "account_id"), "currency": req.currency,
        "period": req.period, "start_date": parse_date(req.start_date, "start_date"),
        "end_date": parse_date(req.end_date, "end_date"), "auto_renew": req.auto_renew,
        "invoice_mode": req.invoice_mode,
    }  # fmt: skip
    if req.HasField("payment_terms_days"):
        values["payment_terms_days"] = req.payment_terms_days
    return values


def create_subscription_cmd(req: pb.CreateSubscriptionRequest) -> CreateRecord:
    return CreateRecord(
        {
            **_schedule_values(req),
            "product_id": optional_uuid(req.product_id, "product_id"),
            "description": req.description,
            "quantity": parse_decimal(req.quantity or "1", "quantity", places=QUANTITY_PLACES),
            "price": parse_decimal(req.price, "price"),
            "taxes": _taxes(req.tax_rate, req.taxes),
        }
    )


def _subscription_change(req: pb.UpdateSubscriptionRequest, name: str) -> tuple[str, Any]:
    if name in ("tax_rate", "taxes"):
        return "taxes", _taxes(req.tax_rate, req.taxes)
    if name == "product_id":
        return name, optional_uuid(req.product_id, "product_id")
    if name == "quantity":
        return name, parse_decimal(req.quantity, "quantity", places=QUANTITY_PLACES)
    if name == "price":
        return name, parse_decimal(req.price, "price")
    if name == "end_date":
        return name, parse_date(req.end_date, "end_date")
    return name, getattr(req, name)


def _mask(mask: Sequence[str], allowed: frozenset[str]) -> None:
    unknown = set(mask) - allowed
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed here")


def update_subscription_cmd(req: pb.UpdateSubscriptionRequest) -> UpdateRecord:
    _mask(req.update_mask, SUBSCRIPTION_FIELDS)
    changes = dict(_subscription_change(req, name) for name in req.update_mask)
    return UpdateRecord(parse_uuid(req.id), changes, req.expected_version)


def cancel_cmd(req: pb.CancelSubscriptionRequest) -> CancelSubscription:
    return CancelSubscription(parse_uuid(req.id), req.at, req.reason, req.expected_version)


def schedule_filters(req: Any) -> ScheduleFilters:
    status = req.status.strip().lower()
    if status and status not in STATUSES:
        raise InvalidArgument.for_field("status", f"one of {', '.join(STATUSES)}")
    return ScheduleFilters(optional_uuid(req.account_id, "account_id"), status)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _tax_pbs(stored: Sequence[dict[str, Any]]) -> list[billing_pb2.InvoiceTax]:
    return [
        billing_pb2.InvoiceTax(name=t.name, rate=decimal_str(t.rate), inclusive=t.inclusive,
                               compound=t.compound)
        for t in lines.taxes_of(stored)
    ]  # fmt: skip


def _rate_sum(stored: Sequence[dict[str, Any]]) -> str:
    return decimal_str(sum((t.rate for t in lines.taxes_of(stored)), Decimal(0)))


def _schedule_pb(row: SubscriptionRow | RecurringInvoiceRow) -> dict[str, Any]:
    return {
        "id": str(row.id), "tenant_id": str(row.tenant_id), "account_id": str(row.account_id),
        "currency": row.currency, "period": row.period, "start_date": _day(row.start_date),
        "end_date": _day(row.end_date), "auto_renew": row.auto_renew, "status": row.status,
        "next_period_start": _day(row.next_period_start), "invoice_mode": row.invoice_mode,
        "payment_terms_days": row.payment_terms_days, "periods_billed": row.periods_billed,
        "term_periods": row.term_periods, "version": row.version,
        "created_at": to_timestamp(row.created_at), "updated_at": to_timestamp(row.updated_at),
        "created_by": str(row.created_by or ""), "updated_by": str(row.updated_by or ""),
    }  # fmt: skip


def subscription_to_pb(row: SubscriptionRow) -> pb.Subscription:
    return pb.Subscription(
        **_schedule_pb(row), product_id=str(row.product_id or ""), description=row.description,
        quantity=decimal_str(row.quantity), price=money_str(row.price, row.currency),
        tax_rate=_rate_sum(row.taxes), taxes=_tax_pbs(row.taxes),
        cancelled_at=to_timestamp(row.cancelled_at), cancel_reason=row.cancel_reason,
    )  # fmt: skip


def create_recurring_cmd(req: pb.CreateRecurringInvoiceRequest) -> CreateRecord:
    specs = tuple(line_spec(line, i) for i, line in enumerate(req.lines))
    return CreateRecord({**_schedule_values(req), "lines": specs, "notes": req.notes})


def _recurring_change(req: pb.UpdateRecurringInvoiceRequest, name: str) -> Any:
    if name == "lines":
        return tuple(line_spec(line, i) for i, line in enumerate(req.lines))
    if name == "end_date":
        return parse_date(req.end_date, "end_date")
    if name == "status":
        return req.status.strip().lower()
    return getattr(req, name)


def update_recurring_cmd(req: pb.UpdateRecurringInvoiceRequest) -> UpdateRecord:
    _mask(req.update_mask, RECURRING_FIELDS)
    changes = {name: _recurring_change(req, name) for name in req.update_mask}
    return UpdateRecord(parse_uuid(req.id), changes, req.expected_version)


def recurring_to_pb(row: RecurringInvoiceRow) -> pb.RecurringInvoice:
    c = row.currency
    template = [
        billing_pb2.InvoiceLineInput(
            product_id=x["product_id"] or "", description=x["description"],
            quantity=decimal_str(Decimal(x["quantity"])),
            unit_price=money_str(Decimal(x["unit_price"]), c),
            discount=decimal_str(Decimal(x["discount"])), tax_rate=_rate_sum(x["taxes"]),
            taxes=_tax_pbs(x["taxes"]),
        )
        for x in row.lines
    ]  # fmt: skip
    return pb.RecurringInvoice(**_schedule_pb(row), lines=template, notes=row.notes)


def transaction_filters(req: pb.ListTransactionsRequest) -> TransactionFilters:
    return TransactionFilters(
        subscription_id=optional_uuid(req.subscription_id, "subscription_id"),
        recurring_invoice_id=optional_uuid(req.recurring_invoice_id, "recurring_invoice_id"),
        invoice_id=optional_uuid(req.invoice_id, "invoice_id"),
        account_id=optional_uuid(req.account_id, "account_id"),
    )


def transaction_to_pb(row: BillingTransactionRow) -> pb.Transaction:
    def ref(value: Any) -> str:
        return str(value) if value else ""

    return pb.Transaction(
        id=str(row.id), kind=row.kind, account_id=str(row.account_id),
        invoice_id=ref(row.invoice_id), subscription_id=ref(row.subscription_id),
        recurring_invoice_id=ref(row.recurring_invoice_id), payment_id=ref(row.payment_id),
        credit_note_id=ref(row.credit_note_id), amount=money_str(row.amount, row.currency),
        currency=row.currency, at=to_timestamp(row.at),
    )  # fmt: skip
