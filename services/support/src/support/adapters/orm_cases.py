"""Support tables (orm_cases): cases, their comments, SLA pauses, case numbers
and the round-robin cursors of assignment groups."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped


class CaseRow(TenantScoped, Base):
    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_tenant_created", "tenant_id", "created_at", "id"),
        Index("ix_cases_tenant_number", "tenant_id", "number", unique=True),
        Index("ix_cases_tenant_owner", "tenant_id", "owner_id"),
        Index("ix_cases_tenant_group", "tenant_id", "group_id"),
        Index("ix_cases_tenant_account", "tenant_id", "account_id"),
        Index("ix_cases_tenant_status", "tenant_id", "status"),
        # The scheduler's scans: only rows with a running target are indexed.
        Index(
            "ix_cases_sla_running",
            "resolution_due_at",
            postgresql_where=text("deleted_at IS NULL AND sla_paused_at IS NULL"),
        ),
    )

    number: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    priority: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(32), default="new")
    channel: Mapped[str] = mapped_column(String(16), default="web")
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    asset_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    group_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    service_contract_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    account_tier: Mapped[str] = mapped_column(String(50), default="", server_default="")
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # The SLA: the policy's terms when the case was opened (JSON snapshot).
    sla_policy_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    sla_terms: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    sla_status: Mapped[str] = mapped_column(String(16), default="on_track")
    sla_paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    first_response_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_warn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_warned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_breached: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    first_response_breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)

    # Next response: one cycle from a customer comment to the next agent reply.
    awaiting_reply_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_response_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_response_warn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_response_warned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_response_breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_response_breached: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )

    resolution_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_warn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_warned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_breached: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("false")
    )
    resolution_breached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_escalation_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseCommentRow(Base):
    __tablename__ = "case_comments"
    __table_args__ = (Index("ix_case_comments_case", "tenant_id", "case_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cases.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    from_customer: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    mentioned_user_ids: Mapped[list[str]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CasePauseRow(Base):
    """One interval the case's SLA clock stood still (ended_at NULL: still)."""

    __tablename__ = "case_sla_pauses"
    __table_args__ = (Index("ix_case_sla_pauses_case", "case_id", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("cases.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(32))  # the status that stopped the clock
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CaseCounterRow(Base):
    """The last case number given per tenant and year (upserted, row-locked)."""

    __tablename__ = "case_counters"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class GroupCursorRow(Base):
    """Where round-robin stands in a group: the user given the last case.
    Locked (FOR UPDATE) by each assignment, so concurrent ones take turns."""

    __tablename__ = "case_group_cursors"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    last_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


# Who a case belongs to for visibility and edit rights: its owner, else the group
# whose queue it waits in, else whoever created it. Every query of cases (the cases
# area, insights, field service) filters with this one expression.
CASE_RECORD_OWNER: Any = func.coalesce(CaseRow.owner_id, CaseRow.group_id, CaseRow.created_by)
