"""Sales' tables. Rows stay in the service layer; mappers.py converts them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped, utcnow


class LeadRow(TenantScoped, Base):
    __tablename__ = "leads"
    __table_args__ = (
        # Keyset pages of a tenant, and the list filters (100k leads per tenant).
        Index("ix_leads_tenant_page", "tenant_id", "created_at", "id"),
        # The other sort orders of the list (keyset: sort column, then id).
        Index("ix_leads_tenant_score", "tenant_id", "score", "id"),
        Index("ix_leads_tenant_last_name", "tenant_id", "last_name", "id"),
        Index("ix_leads_tenant_updated", "tenant_id", "updated_at", "id"),
        Index("ix_leads_tenant_owner", "tenant_id", "owner_id"),
        Index("ix_leads_tenant_status", "tenant_id", "status"),
        # Duplicate detection on create.
        Index("ix_leads_tenant_email", "tenant_id", "email"),
        Index("ix_leads_tenant_company_key", "tenant_id", "company_key"),
        Index("ix_leads_tags", "tags", postgresql_using="gin"),
    )

    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")  # stored lower-case
    phone: Mapped[str] = mapped_column(String(64), default="")
    company: Mapped[str] = mapped_column(String(200), default="")
    company_key: Mapped[str] = mapped_column(String(200), default="")  # normalised company
    title: Mapped[str] = mapped_column(String(200), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="new")
    score: Mapped[int] = mapped_column(Integer, default=0)
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(50)), default=list, server_default=text("'{}'")
    )
    custom_fields: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    # Lineage, set once by conversion (the records may later be deleted).
    converted_account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    converted_contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    converted_deal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    converted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LeadStatusHistoryRow(Base):
    """One status change of a lead (the first row is its initial status)."""

    __tablename__ = "lead_status_history"
    __table_args__ = (Index("ix_lead_status_history_lead", "lead_id", "changed_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    lead_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("leads.id", ondelete="CASCADE"))
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    changed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class AccountRow(TenantScoped, Base):
    __tablename__ = "accounts"
    __table_args__ = (
        Index("ix_accounts_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_accounts_tenant_owner", "tenant_id", "owner_id"),
        Index("ix_accounts_tenant_parent", "tenant_id", "parent_id"),
        Index("ix_accounts_tenant_name", "tenant_id", "name"),
        Index("ix_accounts_tags", "tags", postgresql_using="gin"),
        # Another system's id: unique among the tenant's live accounts (a binned
        # one may keep it; restoring it while taken is refused).
        Index(
            "ux_accounts_tenant_external_id",
            "tenant_id",
            "external_id",
            unique=True,
            postgresql_where=text("deleted_at IS NULL AND external_id IS NOT NULL"),
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    website: Mapped[str] = mapped_column(String(300), default="")
    industry: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    # {street, city, postal_code, region, country}
    billing_address: Mapped[dict[str, str]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    shipping_address: Mapped[dict[str, str]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="RESTRICT")
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(50)), default=list, server_default=text("'{}'")
    )
    custom_fields: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    lead_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # converted from this lead
    external_id: Mapped[str | None] = mapped_column(String(100))  # None when none


class ContactRow(TenantScoped, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_tenant_page", "tenant_id", "created_at", "id"),
        Index("ix_contacts_tenant_owner", "tenant_id", "owner_id"),
        Index("ix_contacts_tenant_account", "tenant_id", "account_id"),
        Index("ix_contacts_tenant_email", "tenant_id", "email"),
        Index("ix_contacts_tags", "tags", postgresql_using="gin"),
        Index(
            "ux_contacts_tenant_external_id",
            "tenant_id",
            "external_id",
            unique=True,
            postgresql_where=text("deleted_at IS NULL AND external_id IS NOT NULL"),
        ),
    )

    account_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("accounts.id", ondelete="RESTRICT")
    )
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")  # stored lower-case
    phone: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    tags: Mapped[list[str]] = mapped_column(
        ARRAY(String(50)), default=list, server_default=text("'{}'")
    )
    custom_fields: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    lead_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # converted from this lead
    external_id: Mapped[str | None] = mapped_column(String(100))
