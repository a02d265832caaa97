"""Queries of activities, always within the caller's tenant and visibility, and
the checks on what an activity points at (its record, its contact attendees)."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, visible_filter
from crm_common.errors import InvalidArgument, NotFound
from crm_common.pagination import Page, clamp_limit, decode_cursor, encode_cursor, paginate
from crm_common.recycle_bin import active
from sales.adapters.orm import AccountRow, ContactRow, LeadRow
from sales.adapters.orm_activities import ActivityRow

MODULE = "activities"
SORTS = ("created_at", "due_at", "start_at")
# Activities without the sort time come last: they sort as if at this instant.
LAST = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ActivityFilters:
    related_type: str = ""
    related_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    type: str = ""
    status: str = ""
    due_before: datetime | None = None
    due_after: datetime | None = None
    sort: str = "created_at"


def _related_model(related_type: str) -> tuple[Any, str] | None:
    """The table and access module of a related record. Deals are looked up
    lazily: they live in their own module, which may not be there yet."""
    if related_type == "deal":
        try:
            deals = importlib.import_module("sales.adapters.orm_deals")
        except ImportError:
            return None
        return getattr(deals, "DealRow", None), "deals"
    return {
        "lead": (LeadRow, "leads"),
        "account": (AccountRow, "accounts"),
        "contact": (ContactRow, "contacts"),
    }.get(related_type)


class ActivityRepository:
    def __init__(self, session: AsyncSession, ctx: AccessContext) -> None:
        self.session = session
        self.ctx = ctx
        self.tenant_id = uuid.UUID(ctx.tenant_id)

    def _visible(self) -> list[sa.ColumnElement[bool]]:
        return [
            ActivityRow.tenant_id == self.tenant_id,
            active(ActivityRow),
            visible_filter(self.ctx, MODULE, ActivityRow.owner_id),
        ]

    async def get(self, activity_id: uuid.UUID, *, for_update: bool = False) -> ActivityRow:
        stmt = sa.select(ActivityRow).where(ActivityRow.id == activity_id, *self._visible())
        if for_update:
            stmt = stmt.with_for_update()
        row = await self.session.scalar(stmt)
        if row is None:
            raise NotFound("activity not found")
        return row

    async def check_related(self, related_type: str, related_id: uuid.UUID) -> None:
        """422 related_id when the tenant has no such live record, 404 when the
        caller may not see it (as reading it directly would answer)."""
        found = _related_model(related_type)
        if found is None or found[0] is None:
            raise InvalidArgument.for_field("related_type", f"{related_type} is not available")
        model, module = found
        live = [model.id == related_id, model.tenant_id == self.tenant_id, active(model)]
        if await self.session.scalar(sa.select(model.id).where(*live)) is None:
            raise InvalidArgument.for_field("related_id", f"no such {related_type}")
        visible = visible_filter(self.ctx, module, model.owner_id)
        # FOR SHARE: the record cannot be deleted under the new activity.
        stmt = sa.select(model.id).where(*live, visible).with_for_update(read=True)
        if await self.session.scalar(stmt) is None:
            raise NotFound(f"{related_type} not found")

    async def check_contacts(self, attendees: Iterable[dict[str, str]]) -> None:
        """Contact attendees must be live contacts of the tenant."""
        wanted = {uuid.UUID(a["contact_id"]) for a in attendees if "contact_id" in a}
        if not wanted:
            return
        found = await self.session.scalars(
            sa.select(ContactRow.id).where(
                ContactRow.id.in_(wanted),
                ContactRow.tenant_id == self.tenant_id,
                active(ContactRow),
            )
        )
        if wanted - set(found):
            raise InvalidArgument.for_field("attendees", "a contact_id is not a contact here")

    async def page(
        self, filters: ActivityFilters, *, limit: int, cursor: str | None
    ) -> Page[ActivityRow]:
        stmt = sa.select(ActivityRow).where(*self._visible(), *_conditions(filters))
        if filters.sort == "created_at":
            order = (ActivityRow.created_at, ActivityRow.id)
            return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)
        return await _page_by_time(self.session, stmt, filters.sort, limit, cursor)


async def _page_by_time(
    session: AsyncSession, stmt: sa.Select[Any], sort: str, limit: int, cursor: str | None
) -> Page[ActivityRow]:
    """Keyset pages on (time, id) with missing times last (NULLs cannot be compared
    in a row value, so they sort as ``LAST``)."""
    limit = clamp_limit(limit)
    column = getattr(ActivityRow, sort)
    key = sa.func.coalesce(column, LAST)
    if cursor:
        after, after_id = decode_cursor(cursor, 2)
        stmt = stmt.where(sa.tuple_(key, ActivityRow.id) > sa.tuple_(after, after_id))
    rows = list((await session.scalars(stmt.order_by(key, ActivityRow.id).limit(limit + 1))).all())
    if len(rows) <= limit:
        return Page(rows, None)
    last = rows[limit - 1]
    return Page(rows[:limit], encode_cursor([getattr(last, sort) or LAST, last.id]))


def _conditions(filters: ActivityFilters) -> list[sa.ColumnElement[bool]]:
    equal: dict[str, Any] = {
        "related_type": filters.related_type,
        "related_id": filters.related_id,
        "owner_id": filters.owner_id,
        "type": filters.type,
        "status": filters.status,
    }
    found = [getattr(ActivityRow, name) == value for name, value in equal.items() if value]
    if filters.due_before is not None:
        found.append(ActivityRow.due_at < filters.due_before)
    if filters.due_after is not None:
        found.append(ActivityRow.due_at >= filters.due_after)
    return found
