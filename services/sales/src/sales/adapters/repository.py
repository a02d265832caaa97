"""Queries of leads, always within the caller's tenant and visibility.

Every read goes through ``_visible``: another tenant's lead, a deleted one and
one the caller may not see are all simply *not found*.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, readable_owner_ids, visible_filter
from crm_common.errors import InvalidArgument, NotFound
from crm_common.pagination import Page, paginate
from crm_common.recycle_bin import active
from sales.adapters.orm import LeadRow, LeadStatusHistoryRow

MODULE = "leads"


@dataclass(frozen=True)
class LeadFilters:
    status: str = ""
    owner_id: uuid.UUID | None = None
    q: str = ""
    tag: str = ""
    created_after: datetime | None = None  # inclusive
    created_before: datetime | None = None  # exclusive
    source: str = ""
    sort: str = "created_at"  # a key of SORTS, "-" first for descending


# Sort orders of the list; each has an index (tenant_id, column, id).
SORTS = {
    "created_at": LeadRow.created_at,
    "updated_at": LeadRow.updated_at,
    "score": LeadRow.score,
    "last_name": LeadRow.last_name,
}


def escape_like(text: str) -> str:
    """``text`` matched literally inside an ILIKE pattern (escape char ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class LeadRepository:
    def __init__(self, session: AsyncSession, ctx: AccessContext) -> None:
        self.session = session
        self.ctx = ctx
        self.tenant_id = uuid.UUID(ctx.tenant_id)

    def _visible(self) -> list[sa.ColumnElement[bool]]:
        return [
            LeadRow.tenant_id == self.tenant_id,
            active(LeadRow),
            visible_filter(self.ctx, MODULE, LeadRow.owner_id),
        ]

    async def get(self, lead_id: uuid.UUID, *, for_update: bool = False) -> LeadRow:
        stmt = sa.select(LeadRow).where(LeadRow.id == lead_id, *self._visible())
        if for_update:
            stmt = stmt.with_for_update()
        lead = await self.session.scalar(stmt)
        if lead is None:
            raise NotFound("lead not found")
        return lead

    async def page(self, filters: LeadFilters, *, limit: int, cursor: str | None) -> Page[LeadRow]:
        """Keyset pages in ``filters.sort`` order; the cursor carries its sort so a
        cursor of one order is refused by another instead of comparing apples to dates."""
        name = filters.sort.removeprefix("-")
        stmt = sa.select(LeadRow).where(*self._visible(), *_conditions(filters))
        page = await paginate(
            self.session,
            stmt,
            (SORTS[name], LeadRow.id),
            limit=limit,
            cursor=_unwrap_cursor(cursor, filters.sort),
            descending=filters.sort.startswith("-"),
        )
        next_cursor = f"{filters.sort}~{page.next_cursor}" if page.next_cursor else None
        return Page(page.items, next_cursor)

    async def duplicates(self, email: str, company_key: str) -> list[LeadRow]:
        """Live leads of the whole tenant with this e-mail or company (visible or not)."""
        matches = []
        if email:
            matches.append(LeadRow.email == email)
        if company_key:
            matches.append(LeadRow.company_key == company_key)
        if not matches:
            return []
        stmt = sa.select(LeadRow).where(
            LeadRow.tenant_id == self.tenant_id, active(LeadRow), sa.or_(*matches)
        )
        return list((await self.session.scalars(stmt.limit(50))).all())

    def visible_ids(self, leads: Sequence[LeadRow]) -> list[str]:
        owners = readable_owner_ids(self.ctx, MODULE)
        return [str(x.id) for x in leads if owners is None or str(x.owner_id) in owners]

    async def history(
        self, lead_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[LeadStatusHistoryRow]]:
        found: dict[uuid.UUID, list[LeadStatusHistoryRow]] = {i: [] for i in lead_ids}
        if not lead_ids:
            return found
        stmt = (
            sa.select(LeadStatusHistoryRow)
            .where(
                LeadStatusHistoryRow.tenant_id == self.tenant_id,
                LeadStatusHistoryRow.lead_id.in_(list(lead_ids)),
            )
            .order_by(LeadStatusHistoryRow.changed_at, LeadStatusHistoryRow.id)
        )
        for row in await self.session.scalars(stmt):
            found[row.lead_id].append(row)
        return found


def _unwrap_cursor(cursor: str | None, sort: str) -> str | None:
    if not cursor:
        return None
    made_for, _, inner = cursor.rpartition("~")
    if made_for != sort:
        raise InvalidArgument.for_field("cursor", "belongs to another sort order")
    return inner


def _conditions(filters: LeadFilters) -> list[sa.ColumnElement[bool]]:
    found: list[sa.ColumnElement[bool]] = []
    if filters.created_after is not None:
        found.append(LeadRow.created_at >= filters.created_after)
    if filters.created_before is not None:
        found.append(LeadRow.created_at < filters.created_before)
    if filters.source:
        found.append(LeadRow.source == filters.source)
    if filters.status:
        found.append(LeadRow.status == filters.status)
    if filters.owner_id is not None:
        found.append(LeadRow.owner_id == filters.owner_id)
    if filters.tag:
        found.append(LeadRow.tags.contains([filters.tag]))  # @>, served by the GIN index
    if filters.q:
        pattern = f"%{escape_like(filters.q)}%"
        found.append(
            sa.or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        LeadRow.first_name,
                        LeadRow.last_name,
                        LeadRow.email,
                        LeadRow.company,
                    )
                )
            )
        )
    return found
