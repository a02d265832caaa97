"""Tables of the e-mail channel: each user's preferences, the tenant's SMTP
settings, bounced addresses, and the e-mail queue (one row per e-mail to send).

The queue row of a notification is unique per notification (``dedupe_key``), so
an event delivered twice mails once; the sender claims due rows with
``FOR UPDATE SKIP LOCKED`` (service_layer/email_sender.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped, utcnow

PENDING, SENT, FAILED = "pending", "sent", "failed"


class PreferenceRow(TenantScoped, Base):
    """One user's preferences; only the types the user set are in ``channels``."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        Index("uq_notification_preferences_user", "tenant_id", "user_id", unique=True),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # type -> {"in_app": bool, "email": bool}
    channels: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    quiet_start: Mapped[str | None] = mapped_column(String(5))
    quiet_end: Mapped[str | None] = mapped_column(String(5))
    digest: Mapped[str] = mapped_column(String(10), default="off")
    digest_hour: Mapped[int] = mapped_column(Integer, default=8)


class EmailSettingsRow(Base):
    """The tenant's SMTP settings. The password is encrypted (Fernet, key from
    the service's settings) and never leaves the service."""

    __tablename__ = "email_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    from_address: Mapped[str] = mapped_column(String(254))
    smtp_host: Mapped[str] = mapped_column(String(253))
    smtp_port: Mapped[int] = mapped_column(Integer)
    starttls: Mapped[bool] = mapped_column(Boolean, default=False)
    username: Mapped[str] = mapped_column(String(254), default="")
    password_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class EmailBounceRow(Base):
    """An address that bounced: not mailed again (lower-cased)."""

    __tablename__ = "email_bounces"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    address: Mapped[str] = mapped_column(String(254), primary_key=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    bounced_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )


class EmailMessageRow(Base):
    """One e-mail to send: a notification, a digest item (sent together with the
    user's other items due at the same time) or another service's request."""

    __tablename__ = "email_messages"
    __table_args__ = (
        Index(
            "ix_email_messages_due",
            "send_after",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_email_messages_tenant_user", "tenant_id", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # "notification:<id>" or "request:<event id>": a redelivered event mails once.
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # notification | digest | request
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    to_address: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(400), default="")
    language: Mapped[str] = mapped_column(String(16), default="en")
    notification_type: Mapped[str] = mapped_column(String(40), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    event_id: Mapped[str] = mapped_column(String(64), default="")
    event_type: Mapped[str] = mapped_column(String(120), default="")
    reference: Mapped[str] = mapped_column(String(200), default="")
    send_after: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )
