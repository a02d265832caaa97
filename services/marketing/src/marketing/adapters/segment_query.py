"""A segment's definition as SQL over the read model (prospects), evaluated
live. The same condition semantics as domain.conditions.matches."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement

from marketing.adapters.orm import EngagementRow, ProspectRow
from marketing.domain.conditions import NUMBER_FIELDS, Condition
from marketing.domain.segments import Definition


def _text_column(name: str) -> Any:
    column = getattr(ProspectRow, name)
    if name == "owner_id":
        return sa.func.coalesce(sa.cast(column, sa.String), "")
    return sa.func.lower(column)


def condition_sql(cond: Condition) -> ColumnElement[bool]:  # noqa: PLR0911 - one per operator
    if cond.field in NUMBER_FIELDS:
        col: Any = getattr(ProspectRow, cond.field)
        if cond.op == "is_empty":
            return col == 0
        if cond.op == "not_empty":
            return col != 0
        if cond.op in ("in", "not_in"):
            inside = col.in_([int(v) for v in cond.values])
            return inside if cond.op == "in" else sa.not_(inside)
        n = int(cond.value)
        ops = {"eq": col == n, "neq": col != n, "gt": col > n, "gte": col >= n,
               "lt": col < n, "lte": col <= n}  # fmt: skip
        return ops[cond.op]
    col = _text_column(cond.field)
    value = cond.value.strip().lower()
    if cond.op == "is_empty":
        return col == ""
    if cond.op == "not_empty":
        return col != ""
    if cond.op in ("in", "not_in"):
        inside = col.in_([v.strip().lower() for v in cond.values])
        return inside if cond.op == "in" else sa.not_(inside)
    if cond.op == "eq":
        return col == value
    if cond.op == "neq":
        return col != value
    if cond.op == "contains":
        return col.contains(value, autoescape=True)
    return col.startswith(value, autoescape=True)


def segment_where(
    definition: Definition, tenant_id: uuid.UUID, now: datetime
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [
        ProspectRow.tenant_id == tenant_id,
        ProspectRow.deleted.is_(False),
    ]
    if definition.kind in ("lead", "contact"):
        where.append(ProspectRow.kind == definition.kind)
    if definition.conditions:
        parts = [condition_sql(c) for c in definition.conditions]
        where.append(sa.and_(*parts) if definition.match == "all" else sa.or_(*parts))
    if definition.min_score is not None:
        where.append(ProspectRow.score >= definition.min_score)
    if definition.max_score is not None:
        where.append(ProspectRow.score <= definition.max_score)
    if definition.tags_any:
        where.append(ProspectRow.tags.overlap(list(definition.tags_any)))
    if definition.tags_all:
        where.append(ProspectRow.tags.contains(list(definition.tags_all)))
    if definition.engaged_within_days is not None:
        since = now - timedelta(days=definition.engaged_within_days)
        engaged = sa.select(EngagementRow.id).where(
            EngagementRow.tenant_id == tenant_id,
            EngagementRow.prospect_id == ProspectRow.id,
            EngagementRow.occurred_at >= since,
        )
        if definition.engagement_types:
            engaged = engaged.where(EngagementRow.type.in_(list(definition.engagement_types)))
        where.append(engaged.exists())
    return where
