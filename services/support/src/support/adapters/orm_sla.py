"""Support tables (orm_sla): business-hours calendars and SLA policies.

A calendar's ``weekly`` is JSON ``{"mon": [["09:00", "12:00"], ...], ...}`` and its
``holidays`` a JSON list of ISO dates, exactly as the API shows them; the domain turns
them into a :class:`support.domain.business_time.Calendar`
(:mod:`support.domain.calendars`). A policy's conditions, pause statuses and
escalations are JSON lists too; ``business_hours_id`` null means a 24x7 clock.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped


class BusinessHoursRow(TenantScoped, Base):
    __tablename__ = "business_hours"
    __table_args__ = (
        Index("ix_business_hours_tenant_page", "tenant_id", "created_at", "id"),
        Index(
            "uq_business_hours_tenant_name",
            "tenant_id",
            text("lower(name)"),
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    weekly: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    holidays: Mapped[list[str]] = mapped_column(JSONB, default=list)
    always_open: Mapped[bool] = mapped_column(Boolean, default=False)


class SlaPolicyRow(TenantScoped, Base):
    __tablename__ = "sla_policies"
    __table_args__ = (Index("ix_sla_policies_tenant_position", "tenant_id", "position", "id"),)

    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    priorities: Mapped[list[str]] = mapped_column(JSONB, default=list)
    account_tiers: Mapped[list[str]] = mapped_column(JSONB, default=list)
    service_contract_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    business_hours_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("business_hours.id", ondelete="RESTRICT")
    )
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    next_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    warning_percent: Mapped[int] = mapped_column(Integer, default=80)
    pause_statuses: Mapped[list[str]] = mapped_column(JSONB, default=list)
    # [{"level": 1, "after_minutes": 60, "group_id": "..."|null, "notify_manager": true}]
    escalations: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
