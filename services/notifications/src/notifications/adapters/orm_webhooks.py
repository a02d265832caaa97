"""Webhook tables: a tenant's endpoints, and one delivery row per (endpoint,
event) that the dispatcher works through in ``seq`` order per endpoint."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    DateTime,
    Identity,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped, utcnow


class WebhookEndpointRow(TenantScoped, Base):
    """Where a tenant wants its events. ``secret`` signs every delivery (it is
    needed in clear to sign; it leaves the service only in the create and rotate
    answers)."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_page", "tenant_id", "created_at", "id"),)

    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(String(500), default="")
    event_types: Mapped[list[str]] = mapped_column(ARRAY(String(200)))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    secret: Mapped[str] = mapped_column(String(100))
    disabled_reason: Mapped[str] = mapped_column(String(300), default="")
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Deliveries in a row that ended failed; since when attempts keep failing.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class WebhookDeliveryRow(Base):
    """One event for one endpoint. ``body`` is the exact JSON sent (signed per
    attempt); ``seq`` orders an endpoint's queue. A replay is a new row with
    ``replay_of`` set, so the unique (endpoint, event) covers originals only: an
    event delivered twice to the consumer is queued once."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index(
            "uq_webhook_deliveries_endpoint_event",
            "endpoint_id",
            "event_id",
            unique=True,
            postgresql_where=text("replay_of IS NULL"),
        ),
        # The head of each endpoint's queue, and what is due.
        Index(
            "ix_webhook_deliveries_pending_queue",
            "endpoint_id",
            "seq",
            postgresql_where=text("status = 'pending'"),
        ),
        Index(
            "ix_webhook_deliveries_pending_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_webhook_deliveries_log", "tenant_id", "endpoint_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(always=False), unique=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    event_type: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(500), default="", server_default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replay_of: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
