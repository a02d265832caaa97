"""Ending sequence enrolments: reply, unsubscribe, conversion, deletion, manual."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from marketing.adapters.orm import EnrollmentRow, ProspectRow


async def exit_prospects(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    prospect_ids: Sequence[uuid.UUID],
    reason: str,
    now: datetime,
) -> int:
    if not prospect_ids:
        return 0
    result = await session.execute(
        sa.update(EnrollmentRow)
        .where(
            EnrollmentRow.tenant_id == tenant_id,
            EnrollmentRow.prospect_id.in_(list(prospect_ids)),
            EnrollmentRow.status == "active",
        )
        .values(status="exited", exit_reason=reason, ended_at=now, next_run_at=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def exit_address(
    session: AsyncSession, tenant_id: uuid.UUID, email: str, reason: str, now: datetime
) -> int:
    """Every prospect with this address leaves its sequences (unsubscribed)."""
    ids = list(
        (
            await session.scalars(
                sa.select(ProspectRow.id).where(
                    ProspectRow.tenant_id == tenant_id, ProspectRow.email == email.lower()
                )
            )
        ).all()
    )
    return await exit_prospects(session, tenant_id, ids, reason, now)
