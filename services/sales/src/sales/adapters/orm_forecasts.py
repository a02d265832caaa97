"""Quotas: what an owner is expected to close in a period, in one currency."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import DateTime, Index, Numeric, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, utcnow


class QuotaRow(Base):
    __tablename__ = "quotas"
    __table_args__ = (
        # One quota per user and period label ("2026-Q4", "2026-11", "2026").
        Index("ux_quotas_tenant_user_period", "tenant_id", "user_id", "period", unique=True),
        Index("ix_quotas_tenant_period", "tenant_id", "period"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    period: Mapped[str] = mapped_column(String(7))
    amount: Mapped[Decimal] = mapped_column(Numeric(19, 4))
    currency: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
