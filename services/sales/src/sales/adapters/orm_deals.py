"""Tables of pipelines, stages, deals and what hangs off a deal (stage history,
contact roles, commission splits). Rows stay in the service layer."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
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

# Up to 18 integer digits and 4 decimals: every ISO 4217 minor unit fits.
AMOUNT = Numeric(22, 4)


class PipelineRow(TenantScoped, Base):
    __tablename__ = "pipelines"
    __table_args__ = (
        Index("ix_pipelines_tenant_name", "tenant_id", "name", unique=True),
        # One default per tenant: the backstop of the seeding lock and of "make default".
        Index(
            "ix_pipelines_one_default",
            "tenant_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
    )

    name: Mapped[str] = mapped_column(String(100))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class StageRow(Base):
    """A stage of a pipeline; ``position`` orders them (0-based, no gaps)."""

    __tablename__ = "pipeline_stages"
    __table_args__ = (Index("ix_pipeline_stages_pipeline", "pipeline_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    pipeline_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("pipelines.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    probability: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # open | won | lost


class DealRow(TenantScoped, Base):
    __tablename__ = "deals"
    __table_args__ = (
        Index("ix_deals_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_deals_tenant_owner", "tenant_id", "owner_id"),
        Index("ix_deals_tenant_board", "tenant_id", "pipeline_id", "stage_id"),
        Index("ix_deals_tenant_account", "tenant_id", "account_id"),
        Index("ix_deals_tenant_close_date", "tenant_id", "close_date"),
        Index("ix_deals_tenant_amount", "tenant_id", "amount", "id"),
        Index("ix_deals_tenant_lead", "tenant_id", "lead_id"),
        Index("ix_deals_tags", "tags", postgresql_using="gin"),
    )

    name: Mapped[str] = mapped_column(String(200))
    # SET NULL: purging an account from the recycle bin must not fail on its deals.
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="SET NULL")
    )
    # No amount yet: NULL (and currency ""); otherwise rounded to the currency.
    amount: Mapped[Decimal | None] = mapped_column(AMOUNT)
    currency: Mapped[str] = mapped_column(String(3), default="")
    pipeline_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("pipelines.id", ondelete="RESTRICT")
    )
    stage_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("pipeline_stages.id", ondelete="RESTRICT")
    )
    probability: Mapped[int] = mapped_column(Integer)
    close_date: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(10), default="open")
    lost_reason: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(50)), default=list, server_default=text("'{}'")
    )
    custom_fields: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    lead_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # lineage, set by conversion
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DealStageHistoryRow(Base):
    """One stage move of a deal (the first row is the stage it was created at)."""

    __tablename__ = "deal_stage_history"
    __table_args__ = (Index("ix_deal_stage_history_deal", "deal_id", "changed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    deal_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("deals.id", ondelete="CASCADE"))
    # No foreign keys: history outlives a stage that is later removed.
    from_stage_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    to_stage_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class DealContactRoleRow(Base):
    __tablename__ = "deal_contact_roles"
    __table_args__ = (
        Index("ix_deal_contact_roles_deal_contact", "deal_id", "contact_id", unique=True),
        Index(
            "ix_deal_contact_roles_one_primary",
            "deal_id",
            unique=True,
            postgresql_where=text("is_primary"),
        ),
        Index("ix_deal_contact_roles_contact", "contact_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    deal_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("deals.id", ondelete="CASCADE"))
    contact_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("contacts.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(30))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)  # the order the caller gave


class DealSplitRow(Base):
    __tablename__ = "deal_splits"
    __table_args__ = (Index("ix_deal_splits_deal_user", "deal_id", "user_id", unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    deal_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("deals.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    position: Mapped[int] = mapped_column(Integer, default=0)
