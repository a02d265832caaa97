"""Purchasing tables: vendors, purchase orders with their lines, receipt notes
(goods received into a warehouse) and vendors' bills matched against both.

Money and quantities are NUMERIC (exact). A line's ``received_quantity`` is the
sum of its receipt lines, kept on the line so the open quantity is read under
the order's row lock without summing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_common.db import Base, TenantScoped, utcnow
from inventory.adapters.orm import MONEY, QUANTITY


class VendorRow(TenantScoped, Base):
    __tablename__ = "vendors"
    __table_args__ = (Index("ix_vendors_tenant_page", "tenant_id", "created_at", "id"),)

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PurchaseOrderCounterRow(Base):
    """The last PO number handed out per tenant and year. The creating
    transaction increments it with one upsert that keeps the row locked until
    commit, so numbers are gapless: a rollback gives its number back."""

    __tablename__ = "purchase_order_counters"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class PurchaseOrderRow(TenantScoped, Base):
    __tablename__ = "purchase_orders"
    __table_args__ = (
        Index("uq_purchase_orders_number", "tenant_id", "number", unique=True),
        Index("ix_purchase_orders_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_purchase_orders_vendor", "tenant_id", "vendor_id"),
    )

    number: Mapped[str] = mapped_column(String(20))
    vendor_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("vendors.id", ondelete="RESTRICT")
    )
    currency: Mapped[str] = mapped_column(String(3))
    warehouse_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # stock's warehouses, checked live
    expected_date: Mapped[date | None] = mapped_column(Date)
    # draft | issued | partially_received | received | cancelled
    status: Mapped[str] = mapped_column(String(20), default="draft")
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lines: Mapped[list[PurchaseOrderLineRow]] = relationship(
        cascade="all, delete-orphan", order_by="PurchaseOrderLineRow.position", lazy="selectin"
    )
    receipts: Mapped[list[ReceiptNoteRow]] = relationship(
        order_by="ReceiptNoteRow.received_at", lazy="selectin"
    )


class PurchaseOrderLineRow(Base):
    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        Index("ix_purchase_order_lines_order", "purchase_order_id"),
        CheckConstraint(
            "received_quantity >= 0 AND received_quantity <= quantity", name="never_over_received"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    purchase_order_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("purchase_orders.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    product_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("products.id", ondelete="RESTRICT")
    )
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_cost: Mapped[Decimal] = mapped_column(MONEY)
    line_total: Mapped[Decimal] = mapped_column(MONEY)
    received_quantity: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))


class ReceiptNoteRow(Base):
    """Goods received for one purchase order; never changed afterwards."""

    __tablename__ = "receipt_notes"
    __table_args__ = (Index("ix_receipt_notes_order", "tenant_id", "purchase_order_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    purchase_order_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("purchase_orders.id", ondelete="RESTRICT")
    )
    warehouse_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    received_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    lines: Mapped[list[ReceiptLineRow]] = relationship(
        cascade="all, delete-orphan", order_by="ReceiptLineRow.position", lazy="selectin"
    )


class ReceiptLineRow(Base):
    __tablename__ = "receipt_lines"
    __table_args__ = (
        Index("ix_receipt_lines_note", "receipt_note_id"),
        CheckConstraint("quantity > 0", name="positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    receipt_note_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("receipt_notes.id", ondelete="CASCADE")
    )
    line_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("purchase_order_lines.id", ondelete="RESTRICT")
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)


class BillRow(TenantScoped, Base):
    __tablename__ = "bills"
    __table_args__ = (
        # A vendor's invoice is recorded once (a concurrent duplicate loses here).
        Index("uq_bills_vendor_reference", "tenant_id", "vendor_id", "vendor_reference_key",
              unique=True),
        Index("ix_bills_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_bills_order", "tenant_id", "purchase_order_id"),
    )  # fmt: skip

    vendor_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("vendors.id", ondelete="RESTRICT")
    )
    purchase_order_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("purchase_orders.id", ondelete="RESTRICT")
    )
    vendor_reference: Mapped[str] = mapped_column(String(100))
    vendor_reference_key: Mapped[str] = mapped_column(String(100))  # lower-case
    bill_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    status: Mapped[str] = mapped_column(String(10))  # matched | mismatch
    lines: Mapped[list[BillLineRow]] = relationship(
        cascade="all, delete-orphan", order_by="BillLineRow.position", lazy="selectin"
    )


class BillLineRow(Base):
    """A billed line and what it was matched against when recorded."""

    __tablename__ = "bill_lines"
    __table_args__ = (Index("ix_bill_lines_bill", "bill_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    bill_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("bills.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_cost: Mapped[Decimal] = mapped_column(MONEY)
    line_total: Mapped[Decimal] = mapped_column(MONEY)
    ordered_unit_cost: Mapped[Decimal] = mapped_column(MONEY)
    received_quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    billed_quantity: Mapped[Decimal] = mapped_column(QUANTITY)  # so far, this bill included
    quantity_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
    price_mismatch: Mapped[bool] = mapped_column(Boolean, default=False)
