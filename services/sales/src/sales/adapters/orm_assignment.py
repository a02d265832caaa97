"""Lead assignment rules and their round-robin cursors."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped


class AssignmentRuleRow(TenantScoped, Base):
    __tablename__ = "assignment_rules"
    __table_args__ = (Index("ix_assignment_rules_tenant_order", "tenant_id", "position", "id"),)

    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    # [{"field": ..., "op": ..., "value": "x" | ["x", "y"]}]
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    target_type: Mapped[str] = mapped_column(String(16))
    target_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    target_group_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class RuleCursorRow(Base):
    """Where a round-robin rule stands: the user it gave the last lead to. Locked
    (FOR UPDATE) by each assignment, so concurrent creates take turns."""

    __tablename__ = "assignment_rule_cursors"

    rule_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("assignment_rules.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    last_user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
