"""Marketing's tables: its read model of sales' leads and contacts (prospects),
engagements and scoring, segments, consent, templates, campaigns and members,
e-mail sends (campaigns and sequence steps alike), sequences and enrolments,
and the deals won (for attribution)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped, utcnow


def _json(default: Any) -> Any:
    return mapped_column(JSONB, default=default, server_default=text(f"'{default()!s}'::jsonb"))


class SettingsRow(Base):
    __tablename__ = "marketing_settings"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    mql_threshold: Mapped[int] = mapped_column(Integer, default=50)
    mails_per_minute: Mapped[int] = mapped_column(Integer, default=60)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProspectRow(Base):
    """A lead or contact as sales last described it (MarketingProfileService),
    with marketing's own scores."""

    __tablename__ = "prospects"
    __table_args__ = (
        Index("ix_prospects_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_prospects_tenant_email", "tenant_id", "email"),
        Index("ix_prospects_tenant_account", "tenant_id", "account_id"),
        Index("ix_prospects_tags", "tags", postgresql_using="gin"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # lead | contact
    email: Mapped[str] = mapped_column(String(254), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    employees: Mapped[int] = mapped_column(Integer, default=0)
    country: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="")
    source: Mapped[str] = mapped_column(String(100), default="")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(50)), default=list, server_default=text("'{}'")
    )
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    converted_contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    converted_deal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # newest event applied
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    fit_score: Mapped[int] = mapped_column(Integer, default=0)
    engagement_score: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[int] = mapped_column(Integer, default=0)
    qualified: Mapped[bool] = mapped_column(Boolean, default=False)  # above the threshold
    scored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_engaged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EngagementRow(Base):
    __tablename__ = "engagements"
    __table_args__ = (
        Index("ix_engagements_prospect", "tenant_id", "prospect_id", "occurred_at"),
        Index("ix_engagements_tenant_page", "tenant_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    prospect_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    prospect_kind: Mapped[str] = mapped_column(String(10))
    type: Mapped[str] = mapped_column(String(30))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    source: Mapped[str] = mapped_column(String(20), default="api")
    score: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScoringRuleRow(TenantScoped, Base):
    __tablename__ = "scoring_rules"
    __table_args__ = (Index("ix_scoring_rules_tenant_page", "tenant_id", "created_at", "id"),)

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    field: Mapped[str] = mapped_column(String(40), default="")
    op: Mapped[str] = mapped_column(String(20), default="")
    value: Mapped[str] = mapped_column(String(200), default="")
    values: Mapped[list[str]] = mapped_column(
        ARRAY(String(200)), default=list, server_default=text("'{}'")
    )
    engagement_type: Mapped[str] = mapped_column(String(30), default="")
    points: Mapped[int] = mapped_column(Integer, default=0)
    max_points: Mapped[int] = mapped_column(Integer, default=0)
    half_life_days: Mapped[int] = mapped_column(Integer, default=0)


class SegmentRow(TenantScoped, Base):
    __tablename__ = "segments"
    __table_args__ = (Index("ix_segments_tenant_page", "tenant_id", "created_at", "id"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # SegmentBody as JSON: kind, match, conditions, score range, tags, engagement.
    definition: Mapped[dict[str, Any]] = _json(dict)


class ConsentRow(Base):
    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_tenant_updated", "tenant_id", "updated_at", "email"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), primary_key=True)  # lower-case
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(30), default="manual")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TemplateRow(TenantScoped, Base):
    __tablename__ = "email_templates"
    __table_args__ = (Index("ix_email_templates_tenant_page", "tenant_id", "created_at", "id"),)

    name: Mapped[str] = mapped_column(String(200))
    default_language: Mapped[str] = mapped_column(String(20), default="en")
    variants: Mapped[list[dict[str, str]]] = _json(list)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class CampaignRow(TenantScoped, Base):
    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_tenant_page", "tenant_id", "created_at", "id"),)

    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20), default="email")
    status: Mapped[str] = mapped_column(String(20), default="planned")
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0))
    actual_cost: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0))
    expected_revenue: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    description: Mapped[str] = mapped_column(Text, default="")
    template_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    segment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    launched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MemberRow(Base):
    __tablename__ = "campaign_members"
    __table_args__ = (
        Index("ux_campaign_members_prospect", "campaign_id", "prospect_id", unique=True),
        Index("ix_campaign_members_page", "campaign_id", "created_at", "id"),
        Index("ix_campaign_members_prospect", "tenant_id", "prospect_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    campaign_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    prospect_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    prospect_kind: Mapped[str] = mapped_column(String(10))
    email: Mapped[str] = mapped_column(String(254), default="")
    status: Mapped[str] = mapped_column(String(20), default="targeted")
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    clicked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    bounced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SendRow(Base):
    """One e-mail to one recipient: a campaign member's, or one sequence step of
    one enrolment. ``dedupe_key`` makes each at most once."""

    __tablename__ = "email_sends"
    __table_args__ = (
        Index("ux_email_sends_dedupe", "tenant_id", "dedupe_key", unique=True),
        Index(
            "ix_email_sends_queued",
            "tenant_id",
            "created_at",
            postgresql_where=text("status = 'queued'"),
        ),
        Index("ix_email_sends_requested", "tenant_id", "requested_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    dedupe_key: Mapped[str] = mapped_column(String(120))
    campaign_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    member_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    sequence_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    enrollment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    step: Mapped[int] = mapped_column(Integer, default=0)
    template_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    prospect_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    prospect_kind: Mapped[str] = mapped_column(String(10))
    email: Mapped[str] = mapped_column(String(254), default="")
    # queued | requested | sent | bounced | skipped | failed
    status: Mapped[str] = mapped_column(String(20), default="queued")
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    requested_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    clicked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SequenceRow(TenantScoped, Base):
    __tablename__ = "sequences"
    __table_args__ = (Index("ix_sequences_tenant_page", "tenant_id", "created_at", "id"),)

    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="active")
    delay_unit: Mapped[str] = mapped_column(String(20), default="business_days")
    steps: Mapped[list[dict[str, Any]]] = _json(list)  # [{position, delay_days, template_id}]
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class EnrollmentRow(Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        Index(
            "ux_enrollments_active",
            "sequence_id",
            "prospect_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_enrollments_due", "next_run_at", postgresql_where=text("status = 'active'")),
        Index("ix_enrollments_page", "sequence_id", "enrolled_at", "id"),
        Index("ix_enrollments_prospect", "tenant_id", "prospect_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    sequence_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    prospect_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    prospect_kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="active")
    exit_reason: Mapped[str] = mapped_column(String(20), default="")
    next_step: Mapped[int] = mapped_column(Integer, default=1)
    next_run_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    steps_sent: Mapped[int] = mapped_column(Integer, default=0)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class WonDealRow(Base):
    """A deal sales reported won (crm.sales.deal.won): attribution's input."""

    __tablename__ = "won_deals"
    __table_args__ = (Index("ix_won_deals_account", "tenant_id", "account_id"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    deal_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    amount: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3), default="")
    won_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
