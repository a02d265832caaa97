"""Billing's tables: invoices and their lines, credit notes, payments with their
allocations, installment plans, and the counters behind gapless numbers.

Amounts are NUMERIC (exact) and always already rounded to the currency's minor
unit; an invoice's totals are sums of its rounded line amounts.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_common.db import Base, TenantScoped
from inventory.adapters.orm import MONEY, QUANTITY, RATE

ZERO = Decimal(0)


class BillingCounterRow(Base):
    """The last number handed out per tenant, kind (INV, CN) and year. The taking
    transaction keeps the row locked until it ends, so numbers have no gaps."""

    __tablename__ = "billing_counters"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class InvoiceRow(TenantScoped, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        Index(
            "uq_invoices_tenant_number",
            "tenant_id",
            "number",
            unique=True,
            postgresql_where=text("number IS NOT NULL"),
        ),
        # An order (a won deal) drafts one invoice, however often its event comes.
        Index(
            "uq_invoices_tenant_order_source",
            "tenant_id",
            "order_id",
            unique=True,
            postgresql_where=text("source = 'order'"),
        ),
        Index(
            "uq_invoices_tenant_deal_source",
            "tenant_id",
            "deal_id",
            unique=True,
            postgresql_where=text("source = 'deal'"),
        ),
        Index("ix_invoices_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_invoices_tenant_account", "tenant_id", "account_id"),
        Index("ix_invoices_tenant_deal", "tenant_id", "deal_id"),
        # The overdue job's scan: only open invoices, by due date.
        Index(
            "ix_invoices_open_due",
            "due_date",
            postgresql_where=text("status IN ('issued', 'partially_paid')"),
        ),
    )

    number: Mapped[str | None] = mapped_column(String(20))  # given at issue
    # No foreign keys: accounts, orders and deals live in the sales service.
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    order_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    source: Mapped[str] = mapped_column(String(10), default="manual")
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    tax_total: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    total: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    amount_paid: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    amount_credited: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    balance: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    issue_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    notes: Mapped[str] = mapped_column(Text, default="")
    lines: Mapped[list[InvoiceLineRow]] = relationship(
        cascade="all, delete-orphan", order_by="InvoiceLineRow.position", lazy="selectin"
    )


class InvoiceLineRow(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (Index("ix_invoice_lines_invoice", "invoice_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    invoice_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("invoices.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    discount_percent: Mapped[Decimal] = mapped_column(RATE, default=ZERO)
    tax_rate: Mapped[Decimal] = mapped_column(RATE, default=ZERO)
    subtotal: Mapped[Decimal] = mapped_column(MONEY)
    discount_amount: Mapped[Decimal] = mapped_column(MONEY)
    net_amount: Mapped[Decimal] = mapped_column(MONEY)
    # [{name, rate, amount, inclusive, compound}] with decimal strings.
    taxes: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    tax_amount: Mapped[Decimal] = mapped_column(MONEY)
    line_total: Mapped[Decimal] = mapped_column(MONEY)


class CreditNoteRow(TenantScoped, Base):
    __tablename__ = "credit_notes"
    __table_args__ = (
        Index("uq_credit_notes_tenant_number", "tenant_id", "number", unique=True),
        Index("ix_credit_notes_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_credit_notes_invoice", "tenant_id", "invoice_id"),
    )

    number: Mapped[str] = mapped_column(String(20))
    invoice_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("invoices.id", ondelete="RESTRICT")
    )
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(Text)
    issue_date: Mapped[date] = mapped_column(Date)


class PaymentRow(TenantScoped, Base):
    __tablename__ = "payments"
    __table_args__ = (
        Index("ix_payments_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_payments_tenant_account", "tenant_id", "account_id"),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    method: Mapped[str] = mapped_column(String(20), default="other")
    reference: Mapped[str] = mapped_column(String(200), default="")
    unallocated: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)  # customer credit
    allocations: Mapped[list[AllocationRow]] = relationship(
        cascade="all, delete-orphan", order_by="AllocationRow.position", lazy="selectin"
    )


class AllocationRow(Base):
    __tablename__ = "payment_allocations"
    __table_args__ = (
        Index("ix_payment_allocations_invoice", "invoice_id"),
        Index("uq_payment_allocations_payment_invoice", "payment_id", "invoice_id", unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    payment_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("payments.id", ondelete="CASCADE")
    )
    invoice_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("invoices.id", ondelete="RESTRICT")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal] = mapped_column(MONEY)


class InstallmentPlanRow(TenantScoped, Base):
    __tablename__ = "installment_plans"
    __table_args__ = (
        Index("uq_installment_plans_tenant_invoice", "tenant_id", "invoice_id", unique=True),
        Index("ix_installment_plans_tenant_page", "tenant_id", "created_at", "id"),
    )

    invoice_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("invoices.id", ondelete="RESTRICT")
    )
    currency: Mapped[str] = mapped_column(String(3))
    installments: Mapped[list[InstallmentRow]] = relationship(
        cascade="all, delete-orphan", order_by="InstallmentRow.position", lazy="selectin"
    )


class InstallmentRow(Base):
    __tablename__ = "installments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    plan_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("installment_plans.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
