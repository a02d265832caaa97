"""Tables of recurring billing: subscriptions, recurring invoice templates, the
periods billed (the exactly-once key) and the append-only transactions ledger.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped, utcnow
from inventory.adapters.orm import MONEY, QUANTITY


class ScheduleColumns:
    """What subscriptions and templates share: whom to bill, and when.
    ``next_period_start`` is the start of period ``periods_billed``, kept as a
    column so the job's scan is one indexed range."""

    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # a sales account (not checked)
    currency: Mapped[str] = mapped_column(String(3))
    period: Mapped[str] = mapped_column(String(10))  # month | quarter | year
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)  # last day of the term
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=False)
    term_periods: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="active")
    periods_billed: Mapped[int] = mapped_column(Integer, default=0)
    next_period_start: Mapped[date] = mapped_column(Date)
    invoice_mode: Mapped[str] = mapped_column(String(10), default="draft")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)


def _due_index(table: str) -> Index:
    # The generator's scan: active schedules by the next period's start.
    return Index(f"ix_{table}_due", "next_period_start", postgresql_where=text("status = 'active'"))


class SubscriptionRow(ScheduleColumns, TenantScoped, Base):
    __tablename__ = "subscriptions"
    __table_args__ = (
        _due_index("subscriptions"),
        Index("ix_subscriptions_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_subscriptions_tenant_account", "tenant_id", "account_id"),
    )

    product_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    price: Mapped[Decimal] = mapped_column(MONEY)  # per unit and period
    # [{name, rate, inclusive, compound}] with decimal strings (an invoice line's).
    taxes: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancel_reason: Mapped[str] = mapped_column(Text, default="")


class RecurringInvoiceRow(ScheduleColumns, TenantScoped, Base):
    __tablename__ = "recurring_invoices"
    __table_args__ = (
        _due_index("recurring_invoices"),
        Index("ix_recurring_invoices_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_recurring_invoices_tenant_account", "tenant_id", "account_id"),
    )

    # The template's lines as given: [{product_id, description, quantity,
    # unit_price, discount, taxes: [{name, rate, inclusive, compound}]}].
    lines: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    notes: Mapped[str] = mapped_column(Text, default="")


class BillingPeriodRow(Base):
    """One billed period of a subscription or template: the unique key
    (source, period start) makes each period's invoice exactly once."""

    __tablename__ = "billing_periods"
    __table_args__ = (
        Index(
            "uq_billing_periods_source_start",
            "source_kind",
            "source_id",
            "period_start",
            unique=True,
        ),
        Index("ix_billing_periods_invoice", "invoice_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    source_kind: Mapped[str] = mapped_column(String(20))  # subscription | recurring
    source_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    invoice_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("invoices.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BillingTransactionRow(Base):
    """One line of the append-only ledger (a trigger refuses UPDATE and DELETE).
    Signed: an issued invoice adds what is owed, payments and credits lower it."""

    __tablename__ = "billing_transactions"
    __table_args__ = (
        Index("ix_billing_transactions_tenant_seq", "tenant_id", "seq"),
        Index("ix_billing_transactions_invoice", "tenant_id", "invoice_id"),
        Index("ix_billing_transactions_subscription", "tenant_id", "subscription_id"),
        Index("ix_billing_transactions_recurring", "tenant_id", "recurring_invoice_id"),
        Index("ix_billing_transactions_account", "tenant_id", "account_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(20))  # transactions.KINDS
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    subscription_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    recurring_invoice_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    payment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    credit_note_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
