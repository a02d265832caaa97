"""Read-only queries over the cases table for help-desk insights (and for the
knowledge base's links to cases).

The cases table belongs to the cases area; it is read here through a
lightweight ``sqlalchemy.table()`` naming only the columns used (its ORM may
change), always within the caller's tenant, live rows only, and only the cases
the caller may see on module ``cases`` (``visible_filter`` on the record owner:
the owner, else the group whose queue the case is in, else its creator).

Every figure is computed by PostgreSQL in three grouped queries, each with
``GROUPING SETS`` so the totals, the per-group and the per-agent figures come
from one scan: the backlog, the SLA targets due in the window, and the
first-response and resolution times (``percentile_cont``, which interpolates
like the textbook percentile of a continuous distribution).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, visible_filter
from support.adapters.orm_cases import CASE_RECORD_OWNER, CaseRow
from support.domain.insights import (
    OPEN_STATUSES,
    Compliance,
    Durations,
    InsightsWindow,
)

CASES_MODULE = "cases"

CASES = CaseRow.__table__
C = CASES.c
RECORD_OWNER = CASE_RECORD_OWNER

# What grouping a row of a GROUPING SETS answer belongs to.
TOTAL, BY_GROUP, BY_OWNER, BY_STATUS, BY_PRIORITY = "total", "group", "owner", "status", "priority"


def visible_cases(ctx: AccessContext) -> sa.ColumnElement[bool]:
    """The tenant's live cases the caller may see (module cases, by record owner)."""
    return sa.and_(
        C.tenant_id == uuid.UUID(ctx.tenant_id),
        C.deleted_at.is_(None),
        visible_filter(ctx, CASES_MODULE, RECORD_OWNER),
    )


async def case_visible(session: AsyncSession, ctx: AccessContext, case_id: uuid.UUID) -> bool:
    """Whether the case exists, is live, is the caller's tenant's and visible to it."""
    stmt = sa.select(C.id).where(C.id == case_id, visible_cases(ctx))
    return await session.scalar(stmt.limit(1)) is not None


@dataclass
class Bucket:
    """The figures of one grouping: everything, one group or one agent."""

    backlog: int = 0
    first_response: Compliance = field(default_factory=Compliance)
    resolution: Compliance = field(default_factory=Compliance)
    first_response_times: Durations = field(default_factory=Durations)
    resolution_times: Durations = field(default_factory=Durations)

    @property
    def sla(self) -> Compliance:
        return self.first_response + self.resolution


@dataclass
class InsightsData:
    total: Bucket = field(default_factory=Bucket)
    by_status: dict[str, int] = field(default_factory=dict)
    by_priority: dict[str, int] = field(default_factory=dict)
    groups: dict[str, Bucket] = field(default_factory=dict)
    agents: dict[str, Bucket] = field(default_factory=dict)

    def bucket(self, kind: str, key: str) -> Bucket:
        if kind == BY_GROUP:
            return self.groups.setdefault(key, Bucket())
        if kind == BY_OWNER:
            return self.agents.setdefault(key, Bucket())
        return self.total


def _key(value: Any) -> str:
    return "" if value is None else str(value)


def _kind(grouped_group: int, grouped_owner: int, extra: Sequence[int] = ()) -> str:
    """From the GROUPING() bits (1 = not grouped by that column) of a row."""
    if not grouped_group:
        return BY_GROUP
    if not grouped_owner:
        return BY_OWNER
    if len(extra) > 0 and not extra[0]:
        return BY_STATUS
    if len(extra) > 1 and not extra[1]:
        return BY_PRIORITY
    return TOTAL


class InsightsQueries:
    def __init__(self, session: AsyncSession, ctx: AccessContext) -> None:
        self.session = session
        self.ctx = ctx

    def _scope(self, group_id: uuid.UUID | None) -> list[sa.ColumnElement[bool]]:
        scope = [visible_cases(self.ctx)]
        if group_id is not None:
            scope.append(C.group_id == group_id)
        return scope

    async def collect(self, window: InsightsWindow, now: datetime) -> InsightsData:
        data = InsightsData()
        await self._backlog(data, window.group_id)
        await self._compliance(data, window, now)
        await self._durations(data, window)
        return data

    async def _backlog(self, data: InsightsData, group_id: uuid.UUID | None) -> None:
        grouping = sa.func.grouping_sets(
            sa.tuple_(), sa.tuple_(C.status), sa.tuple_(C.priority),
            sa.tuple_(C.group_id), sa.tuple_(C.owner_id),
        )  # fmt: skip
        stmt = (
            sa.select(
                sa.func.grouping(C.group_id),
                sa.func.grouping(C.owner_id),
                sa.func.grouping(C.status),
                sa.func.grouping(C.priority),
                C.group_id,
                C.owner_id,
                C.status,
                C.priority,
                sa.func.count(),
            )
            .where(*self._scope(group_id), C.status.in_(OPEN_STATUSES))
            .group_by(grouping)
        )
        for g_group, g_owner, g_status, g_priority, group, owner, status, priority, n in (
            await self.session.execute(stmt)
        ).all():
            kind = _kind(g_group, g_owner, (g_status, g_priority))
            if kind == BY_STATUS:
                data.by_status[_key(status)] = n
            elif kind == BY_PRIORITY:
                data.by_priority[_key(priority)] = n
            else:
                data.bucket(kind, _key(group if kind == BY_GROUP else owner)).backlog = n

    async def _compliance(self, data: InsightsData, window: InsightsWindow, now: datetime) -> None:
        targets = (
            ("first_response", C.first_response_due_at, C.first_responded_at,
             C.first_response_breached),
            ("resolution", C.resolution_due_at, C.resolved_at, C.resolution_breached),
        )  # fmt: skip
        grouping = sa.func.grouping_sets(sa.tuple_(), sa.tuple_(C.group_id), sa.tuple_(C.owner_id))
        for name, due, done, flagged in targets:
            # Breached: flagged by the SLA clock, fulfilled after the due time, or
            # still unfulfilled past it. Met: fulfilled without breach.
            breached = sa.or_(
                sa.func.coalesce(flagged, False),
                sa.and_(done.is_not(None), done > due),
                sa.and_(done.is_(None), due <= now),
            )
            met = sa.and_(done.is_not(None), sa.not_(breached))
            stmt = (
                sa.select(
                    sa.func.grouping(C.group_id),
                    sa.func.grouping(C.owner_id),
                    C.group_id,
                    C.owner_id,
                    sa.func.count().filter(met),
                    sa.func.count().filter(breached),
                    sa.func.count(),
                )
                .where(*self._scope(window.group_id), due >= window.start, due < window.end)
                .group_by(grouping)
            )
            for g_group, g_owner, group, owner, n_met, n_breached, n_all in (
                await self.session.execute(stmt)
            ).all():
                kind = _kind(g_group, g_owner)
                bucket = data.bucket(kind, _key(group if kind == BY_GROUP else owner))
                figures = Compliance(n_met, n_breached, n_all - n_met - n_breached)
                setattr(bucket, name, figures)

    async def _durations(self, data: InsightsData, window: InsightsWindow) -> None:
        measures = (
            ("first_response_times", C.first_responded_at, C.first_response_minutes),
            ("resolution_times", C.resolved_at, C.resolution_minutes),
        )
        grouping = sa.func.grouping_sets(sa.tuple_(), sa.tuple_(C.group_id), sa.tuple_(C.owner_id))
        for name, at, minutes in measures:
            stmt = (
                sa.select(
                    sa.func.grouping(C.group_id),
                    sa.func.grouping(C.owner_id),
                    C.group_id,
                    C.owner_id,
                    sa.func.count(minutes),
                    sa.func.percentile_cont(0.5).within_group(minutes),
                    sa.func.percentile_cont(0.9).within_group(minutes),
                )
                .where(
                    *self._scope(window.group_id),
                    at >= window.start,
                    at < window.end,
                    minutes.is_not(None),
                )
                .group_by(grouping)
            )
            for g_group, g_owner, group, owner, n, median, p90 in (
                await self.session.execute(stmt)
            ).all():
                kind = _kind(g_group, g_owner)
                bucket = data.bucket(kind, _key(group if kind == BY_GROUP else owner))
                setattr(bucket, name, Durations(n, _float(median), _float(p90)))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
