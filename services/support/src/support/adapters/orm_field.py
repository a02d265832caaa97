"""Field-service tables: service contracts, work orders, service appointments,
timelogs, and the counter behind gapless work-order numbers.

Other areas of support read ``timelogs`` and ``service_contracts`` with
``sqlalchemy.table()``: timelogs are removed for good (no recycle bin), so every
row there counts.
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
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped


class ServiceContractRow(TenantScoped, Base):
    __tablename__ = "service_contracts"
    __table_args__ = (
        Index("ix_service_contracts_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_service_contracts_tenant_account", "tenant_id", "account_id"),
        # The expiry job's scan: active contracts not yet announced.
        Index(
            "ix_service_contracts_expiry_armed",
            "end_date",
            postgresql_where=text(
                "status = 'active' AND expiry_warned_at IS NULL AND deleted_at IS NULL"
            ),
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    entitlement_type: Mapped[str] = mapped_column(String(8))
    entitlement_total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    # draft | active | cancelled; "expired" is derived from end_date.
    status: Mapped[str] = mapped_column(String(16), default="draft")
    tier: Mapped[str] = mapped_column(String(50), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # Set with the crm.support.contract.expiring event in one transaction;
    # cleared when end_date moves (announced again for the new date).
    expiry_warned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WorkOrderRow(TenantScoped, Base):
    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_tenant_page", "tenant_id", "created_at", "id"),
        Index("uq_work_orders_tenant_number", "tenant_id", "number", unique=True),
        Index("ix_work_orders_tenant_case", "tenant_id", "case_id"),
        Index("ix_work_orders_tenant_contract", "tenant_id", "service_contract_id"),
    )

    number: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    service_contract_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(16), default="new")
    priority: Mapped[str] = mapped_column(String(2), default="P3")
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ServiceAppointmentRow(TenantScoped, Base):
    __tablename__ = "service_appointments"
    __table_args__ = (
        Index("ix_service_appointments_tenant_start", "tenant_id", "scheduled_start", "id"),
        Index("ix_service_appointments_work_order", "tenant_id", "work_order_id"),
        # The double-booking check: a technician's active visits by time.
        Index(
            "ix_service_appointments_technician_active",
            "tenant_id",
            "technician_id",
            "scheduled_start",
            postgresql_where=text(
                "status IN ('scheduled', 'dispatched', 'in_progress') AND deleted_at IS NULL"
            ),
        ),
        CheckConstraint("scheduled_end > scheduled_start", name="end_after_start"),
    )

    work_order_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    technician_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    scheduled_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    scheduled_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    address: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class TimelogRow(TenantScoped, Base):
    __tablename__ = "timelogs"
    __table_args__ = (
        Index("ix_timelogs_tenant_case", "tenant_id", "case_id"),
        Index("ix_timelogs_tenant_work_order", "tenant_id", "work_order_id"),
        Index("ix_timelogs_tenant_user", "tenant_id", "user_id"),
        CheckConstraint(
            "(case_id IS NULL) <> (work_order_id IS NULL)", name="on_case_or_work_order"
        ),
        CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes_range"),
    )

    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    work_order_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    minutes: Mapped[int] = mapped_column(Integer)
    billable: Mapped[bool] = mapped_column(Boolean, default=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")


class FieldCounterRow(Base):
    """The last work-order number per tenant and year; the taking transaction
    keeps the row locked until it ends, so numbers have no gaps."""

    __tablename__ = "field_counters"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)
