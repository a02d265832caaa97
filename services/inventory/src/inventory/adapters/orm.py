"""Inventory's tables. Rows stay in the service layer; mappers convert them.

Money and quantities are NUMERIC (exact); ``Decimal`` in Python, decimal strings
on the wire.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_common.db import Base, TenantScoped

MONEY = Numeric(28, 10)
QUANTITY = Numeric(20, 6)
RATE = Numeric(9, 4)


class ProductRow(TenantScoped, Base):
    """A product, a service (never stock-tracked) or a bundle of components."""

    __tablename__ = "products"
    __table_args__ = (
        # The sku is unique per tenant whatever its case: enforced here, so two
        # concurrent creates cannot both win.
        Index("uq_products_tenant_sku_key", "tenant_id", "sku_key", unique=True),
        Index("ix_products_tenant_page", "tenant_id", "created_at", "id"),
    )

    sku: Mapped[str] = mapped_column(String(64))
    sku_key: Mapped[str] = mapped_column(String(64))  # sku.lower()
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(10), default="product")
    unit_price: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3))
    tax_class: Mapped[str] = mapped_column(String(50), default="standard")
    stock_tracked: Mapped[bool] = mapped_column(Boolean, default=True)
    reorder_level: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    components: Mapped[list[ComponentRow]] = relationship(
        foreign_keys="ComponentRow.bundle_id",
        cascade="all, delete-orphan",
        order_by="ComponentRow.position",
        lazy="selectin",
    )


class ComponentRow(Base):
    """One line of a bundle: ``quantity`` of ``component_id`` per bundle."""

    __tablename__ = "product_components"
    __table_args__ = (Index("ix_product_components_component", "tenant_id", "component_id"),)

    bundle_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("products.id", ondelete="CASCADE"), primary_key=True
    )
    component_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("products.id", ondelete="RESTRICT"), primary_key=True
    )
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    position: Mapped[int] = mapped_column(Integer, default=0)


class PriceBookRow(TenantScoped, Base):
    __tablename__ = "price_books"
    __table_args__ = (
        Index("ix_price_books_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_price_books_tenant_currency", "tenant_id", "currency", "is_standard"),
    )

    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    is_standard: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)  # inclusive
    entries: Mapped[list[PriceBookEntryRow]] = relationship(
        cascade="all, delete-orphan",
        order_by="PriceBookEntryRow.position",
        lazy="selectin",
    )


class PriceBookEntryRow(Base):
    """A list price of a product from ``min_quantity`` units on (quantity tiers)."""

    __tablename__ = "price_book_entries"
    __table_args__ = (
        Index(
            "uq_price_book_entries_tier", "price_book_id", "product_id", "min_quantity", unique=True
        ),
        Index("ix_price_book_entries_product", "tenant_id", "product_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    price_book_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("price_books.id", ondelete="CASCADE")
    )
    product_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("products.id", ondelete="RESTRICT")
    )
    list_price: Mapped[Decimal] = mapped_column(MONEY)
    min_quantity: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(1))
    position: Mapped[int] = mapped_column(Integer, default=0)


class TaxRateRow(TenantScoped, Base):
    __tablename__ = "tax_rates"
    __table_args__ = (
        Index("ix_tax_rates_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_tax_rates_tenant_class_region", "tenant_id", "tax_class", "region"),
    )

    tax_class: Mapped[str] = mapped_column(String(50))
    region: Mapped[str] = mapped_column(String(10))  # "NL", "US-CA"
    name: Mapped[str] = mapped_column(String(100))
    rate: Mapped[Decimal] = mapped_column(RATE)  # percent
    inclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    compound: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
