"""Stock tables: warehouses, levels, the append-only movement ledger,
reservations answering sales orders, delivery notes and assets.

Quantities are NUMERIC (``QUANTITY``); ``Decimal`` in Python, decimal strings on
the wire. The ledger explains every change of a level: ``on_hand`` and
``reserved`` of a level always equal the sums of its movements.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped, utcnow
from inventory.adapters.orm import QUANTITY


class WarehouseRow(TenantScoped, Base):
    __tablename__ = "warehouses"
    __table_args__ = (
        # The code is unique per tenant whatever its case (a concurrent create
        # loses at this index).
        Index("uq_warehouses_tenant_code_key", "tenant_id", "code_key", unique=True),
        Index("ix_warehouses_tenant_page", "tenant_id", "created_at", "id"),
    )

    code: Mapped[str] = mapped_column(String(32))
    code_key: Mapped[str] = mapped_column(String(32))  # code.lower()
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StockLevelRow(Base):
    """What one warehouse holds of one product. Changed only together with a
    movement row, under ``SELECT ... FOR UPDATE``."""

    __tablename__ = "stock_levels"
    __table_args__ = (
        Index("uq_stock_levels_product_warehouse", "tenant_id", "product_id", "warehouse_id",
              unique=True),
        CheckConstraint("reserved >= 0 AND on_hand >= reserved", name="never_oversold"),
    )  # fmt: skip

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    product_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("products.id", ondelete="RESTRICT")
    )
    warehouse_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("warehouses.id", ondelete="RESTRICT")
    )
    on_hand: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))
    reserved: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StockMovementRow(Base):
    """One line of the append-only ledger (a trigger refuses UPDATE and DELETE)."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        Index("ix_stock_movements_product", "tenant_id", "product_id", "seq"),
        Index("ix_stock_movements_reference", "tenant_id", "reference_type", "reference_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=True), unique=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    warehouse_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(12))  # receipt|adjustment|reservation|release|shipment
    quantity_delta: Mapped[Decimal] = mapped_column(QUANTITY)  # of on_hand
    reserved_delta: Mapped[Decimal] = mapped_column(QUANTITY)
    reference_type: Mapped[str] = mapped_column(String(40), default="")
    reference_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class StockLowStateRow(Base):
    """Whether a product's availability is below its reorder level, so
    ``crm.inventory.stock.low`` is published once per crossing."""

    __tablename__ = "stock_low_states"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    low: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OrderReservationRow(Base):
    """The answer to one sales order: the unique key that makes a redelivered
    ``crm.sales.order.confirmed`` reserve once."""

    __tablename__ = "order_reservations"
    __table_args__ = (Index("uq_order_reservations_order", "tenant_id", "order_id", unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    order_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    order_number: Mapped[str] = mapped_column(String(40), default="")
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # reserved | insufficient | released | partially_shipped | shipped
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ReservationLineRow(Base):
    """Reserved units of one stock-tracked product in one warehouse for an order
    line (a bundle's line reserves its components)."""

    __tablename__ = "reservation_lines"
    __table_args__ = (Index("ix_reservation_lines_reservation", "reservation_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    reservation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("order_reservations.id", ondelete="CASCADE")
    )
    order_line_id: Mapped[str] = mapped_column(String(64), default="")
    line_product_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # what the order line names
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # what is reserved
    warehouse_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    shipped: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))
    released: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))


class DeliveryNoteRow(TenantScoped, Base):
    __tablename__ = "delivery_notes"
    __table_args__ = (
        Index("ix_delivery_notes_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_delivery_notes_order", "tenant_id", "order_id"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(20), default="shipped")
    shipped_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # [{product_id, warehouse_id, quantity, serials: [...]}], quantities as strings
    lines: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)


class AssetRow(TenantScoped, Base):
    """A serial-numbered unit delivered to a customer's account."""

    __tablename__ = "assets"
    __table_args__ = (
        Index("uq_assets_serial", "tenant_id", "product_id", "serial_number", unique=True),
        Index("ix_assets_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_assets_account", "tenant_id", "account_id"),
    )

    serial_number: Mapped[str] = mapped_column(String(100))
    product_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    order_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    delivery_note_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("delivery_notes.id", ondelete="RESTRICT")
    )
    delivered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="delivered")
