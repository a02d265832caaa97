"""Notifications' tables: who follows which record, and each user's notifications.

Both belong to one user of one tenant; every query filters on both.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, String, Text, Uuid, true
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped


class FollowRow(TenantScoped, Base):
    """A user follows a sales record; one follow per (user, record)."""

    __tablename__ = "follows"
    __table_args__ = (
        Index(
            "uq_follows_tenant_user_record",
            "tenant_id",
            "user_id",
            "record_type",
            "record_id",
            unique=True,
        ),
        # The rules look followers up by record.
        Index("ix_follows_tenant_record", "tenant_id", "record_type", "record_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)


class NotificationRow(TenantScoped, Base):
    """One notification for one user. The unique (event, user) makes an event
    delivered twice (or matched by two rules) one notification."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("uq_notifications_event_user", "event_id", "user_id", unique=True),
        Index("ix_notifications_user_page", "tenant_id", "user_id", "created_at", "id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    type: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    record_type: Mapped[str] = mapped_column(String(20), default="")
    record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # False when the user's preferences turn the in-app channel off for this type:
    # the row still drives e-mail, the centre and the live stream leave it out.
    in_app: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
