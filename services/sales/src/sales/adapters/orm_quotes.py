"""Tables of quotes, sales orders, their priced lines, the order status history and
the per-tenant counters behind gapless document numbers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from crm_common.db import Base, TenantScoped, utcnow

# Amounts: rounded to the currency's minor unit (at most 4 digits in ISO 4217).
AMOUNT = Numeric(22, 4)
# Per-unit prices may carry more digits (a price book's 0.3333, a discounted unit).
UNIT_PRICE = Numeric(30, 10)
QUANTITY = Numeric(20, 6)
PERCENT = Numeric(9, 4)


class DocumentCounterRow(Base):
    """The last number handed out per tenant, document kind (Q, SO) and year. The
    row is locked by the transaction that takes a number, so numbers are gapless:
    a rolled-back transaction gives its number back."""

    __tablename__ = "document_counters"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class _Totals:
    """Sums of the lines' rounded amounts (no rounding of its own)."""

    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))
    discount_total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))
    net_total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))
    tax_total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))
    gross_total: Mapped[Decimal] = mapped_column(AMOUNT, default=Decimal(0))


class QuoteRow(_Totals, TenantScoped, Base):
    __tablename__ = "quotes"
    __table_args__ = (
        Index("ux_quotes_tenant_number", "tenant_id", "number", unique=True),
        Index("ix_quotes_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_quotes_tenant_owner", "tenant_id", "owner_id"),
        Index("ix_quotes_tenant_account", "tenant_id", "account_id"),
        Index("ix_quotes_tenant_deal", "tenant_id", "deal_id"),
        # The expiry job's scan: only sent quotes, by date.
        Index(
            "ix_quotes_sent_valid_until", "valid_until", postgresql_where=text("status = 'sent'")
        ),
    )

    number: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    # No foreign key: a document outlives its account's purge from the recycle bin.
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    price_book_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    region: Mapped[str] = mapped_column(String(10), default="")
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    approval_status: Mapped[str] = mapped_column(String(20), default="not_required")
    approved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    approval_note: Mapped[str] = mapped_column(Text, default="")
    max_discount_percent: Mapped[Decimal] = mapped_column(PERCENT, default=Decimal(0))
    priced_on: Mapped[date | None] = mapped_column(Date)
    order_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SalesOrderRow(_Totals, TenantScoped, Base):
    __tablename__ = "sales_orders"
    __table_args__ = (
        Index("ux_sales_orders_tenant_number", "tenant_id", "number", unique=True),
        # One order per quote: the backstop of "accept creates exactly one order".
        Index("ux_sales_orders_tenant_quote", "tenant_id", "quote_id", unique=True),
        Index("ix_sales_orders_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_sales_orders_tenant_owner", "tenant_id", "owner_id"),
        Index("ix_sales_orders_tenant_account", "tenant_id", "account_id"),
    )

    number: Mapped[str] = mapped_column(String(20))
    quote_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("quotes.id", ondelete="RESTRICT"))
    # No foreign key: a document outlives its account's purge from the recycle bin.
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    region: Mapped[str] = mapped_column(String(10), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")


class _LineColumns:
    """A priced line: inventory's PriceQuote answer kept as a snapshot."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    position: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    discount_percent: Mapped[Decimal] = mapped_column(PERCENT)
    list_price: Mapped[Decimal] = mapped_column(UNIT_PRICE)
    unit_price: Mapped[Decimal] = mapped_column(UNIT_PRICE)
    subtotal: Mapped[Decimal] = mapped_column(AMOUNT)
    discount_amount: Mapped[Decimal] = mapped_column(AMOUNT)
    net_amount: Mapped[Decimal] = mapped_column(AMOUNT)
    # [{name, rate, amount, inclusive, compound}] with decimal strings.
    taxes: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    tax_total: Mapped[Decimal] = mapped_column(AMOUNT)
    gross_total: Mapped[Decimal] = mapped_column(AMOUNT)
    price_book_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class QuoteLineRow(_LineColumns, Base):
    __tablename__ = "quote_lines"
    __table_args__ = (Index("ix_quote_lines_quote", "quote_id", "position"),)

    @declared_attr
    def quote_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(Uuid, ForeignKey("quotes.id", ondelete="CASCADE"), nullable=False)


class SalesOrderLineRow(_LineColumns, Base):
    __tablename__ = "sales_order_lines"
    __table_args__ = (Index("ix_sales_order_lines_order", "order_id", "position"),)

    @declared_attr
    def order_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            Uuid, ForeignKey("sales_orders.id", ondelete="CASCADE"), nullable=False
        )


class OrderStatusHistoryRow(Base):
    """One status change of a sales order (the first row is its creation)."""

    __tablename__ = "sales_order_status_history"
    __table_args__ = (Index("ix_sales_order_status_history_order", "order_id", "changed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    order_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sales_orders.id", ondelete="CASCADE")
    )
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
