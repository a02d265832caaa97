"""Gapless document numbers per tenant, kind and year: ``INV-2026-000123``,
``CN-2026-000001``.

The counter row is created or incremented by one upsert, which keeps it locked
(like ``SELECT ... FOR UPDATE``) until the caller's transaction ends: concurrent
issuers queue on that row, and a rollback gives the number back, so there are
no gaps. Callers take the number last in their transaction, to hold the lock
briefly.
"""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from inventory.adapters.orm_billing import BillingCounterRow

INVOICE = "INV"
CREDIT_NOTE = "CN"


async def next_number(session: AsyncSession, tenant_id: uuid.UUID, kind: str, year: int) -> str:
    stmt = (
        insert(BillingCounterRow)
        .values(tenant_id=tenant_id, kind=kind, year=year, last_value=1)
        .on_conflict_do_update(
            index_elements=["tenant_id", "kind", "year"],
            set_={"last_value": BillingCounterRow.last_value + 1},
        )
        .returning(BillingCounterRow.last_value)
    )
    value = (await session.execute(stmt)).scalar_one()
    return f"{kind}-{year}-{value:06d}"
