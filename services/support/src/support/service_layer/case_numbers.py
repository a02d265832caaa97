"""Case numbers ``CS-2026-000042``: gapless per tenant and year.

The counter row is created or incremented by one upsert, which keeps it locked
until the caller's transaction ends: concurrent creates queue on that row, and
a rollback gives the number back. Callers take the number last in their
transaction, to hold the lock briefly.
"""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from support.adapters.orm_cases import CaseCounterRow
from support.domain.cases import format_number


async def next_case_number(session: AsyncSession, tenant_id: uuid.UUID, year: int) -> str:
    stmt = (
        insert(CaseCounterRow)
        .values(tenant_id=tenant_id, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=["tenant_id", "year"],
            set_={"last_value": CaseCounterRow.last_value + 1},
        )
        .returning(CaseCounterRow.last_value)
    )
    value = (await session.execute(stmt)).scalar_one()
    return format_number(year, value)
