"""The activities table (tasks, calls, meetings). Lead conversion re-points rows
by ``related_type``/``related_id``, so those two columns keep their names."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped


class ActivityRow(TenantScoped, Base):
    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_activities_tenant_related", "tenant_id", "related_type", "related_id"),
        Index("ix_activities_tenant_owner", "tenant_id", "owner_id"),
        Index("ix_activities_tenant_due", "tenant_id", "due_at", "id"),
        Index("ix_activities_tenant_start", "tenant_id", "start_at", "id"),
        # The reminder job's scan: only armed reminders are in this index.
        Index(
            "ix_activities_reminder_armed",
            "reminder_at",
            postgresql_where=text("reminded_at IS NULL AND deleted_at IS NULL"),
        ),
    )

    type: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    related_type: Mapped[str] = mapped_column(String(16))
    related_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(16), default="open")
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    start_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    location: Mapped[str] = mapped_column(String(300), default="")
    # [{"user_id": ...} | {"contact_id": ...} | {"email": ...}]
    attendees: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    direction: Mapped[str] = mapped_column(String(16), default="")
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(200), default="")
    reminder_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
