"""Tables of the access model: roles tree, profiles, groups, sharing, API keys, usage."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped


def _live_name_unique(table: str) -> Index:
    """Names are unique among live records: a name in the recycle bin is free again."""
    return Index(
        f"uq_{table}_tenant_live_name",
        "tenant_id",
        "name",
        unique=True,
        postgresql_where=text("deleted_at IS NULL"),
    )


class RoleRow(TenantScoped, Base):
    """A node of the tenant's role tree. ``path`` lists the ids from the root down to
    this role ("/root/child/"), so "below me" is one prefix match at query time."""

    __tablename__ = "roles"
    __table_args__ = (
        _live_name_unique("roles"),
        Index("ix_roles_tenant_path", "tenant_id", "path"),
    )

    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("roles.id"))
    path: Mapped[str] = mapped_column(Text)
    depth: Mapped[int] = mapped_column(Integer, default=0)


class ProfileRow(TenantScoped, Base):
    __tablename__ = "profiles"
    __table_args__ = (_live_name_unique("profiles"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    permissions: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    system: Mapped[bool] = mapped_column(default=False)


class GroupRow(TenantScoped, Base):
    __tablename__ = "groups"
    __table_args__ = (_live_name_unique("groups"),)

    name: Mapped[str] = mapped_column(String(200))
    # [{"type": "user" | "role" | "role_and_subordinates", "id": "<uuid>"}]
    members: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list)


class SharingDefaultRow(Base):
    __tablename__ = "sharing_defaults"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    module: Mapped[str] = mapped_column(String(64), primary_key=True)
    access: Mapped[str] = mapped_column(String(32))


class SharingRuleRow(TenantScoped, Base):
    __tablename__ = "sharing_rules"
    __table_args__ = (Index("ix_sharing_rules_tenant_module", "tenant_id", "module"),)

    module: Mapped[str] = mapped_column(String(64))
    owner_type: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    grantee_type: Mapped[str] = mapped_column(String(32))
    grantee_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    access: Mapped[str] = mapped_column(String(16))


class ApiKeyRow(TenantScoped, Base):
    """A service account's key; only its SHA-256 is stored (keys are random, so a
    fast hash is enough; argon2 would only slow every API call)."""

    __tablename__ = "api_keys"

    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    profile_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("profiles.id"))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    daily_limit: Mapped[int] = mapped_column(BigInteger, default=0)


class UsageDayRow(Base):
    """API calls per tenant per UTC day and per key (nil UUID = user tokens)."""

    __tablename__ = "usage_daily"

    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    key_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    calls: Mapped[int] = mapped_column(BigInteger, default=0)
