"""The e-mail queue: enqueue once per dedupe key, claim due rows with
``FOR UPDATE SKIP LOCKED`` (replicas share the work without waiting on each
other), record the outcome."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.adapters.orm_delivery import PENDING, EmailMessageRow


async def enqueue(session: AsyncSession, values: dict[str, Any]) -> uuid.UUID | None:
    """Add an e-mail unless one with the same dedupe key exists; its id when added."""
    stmt = (
        insert(EmailMessageRow)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(EmailMessageRow.id)
    )
    return await session.scalar(stmt)


async def claim_next(session: AsyncSession, now: datetime) -> list[EmailMessageRow]:
    """The next due e-mail no other sender holds, locked until commit; for a digest
    item, every due digest item of the same user (one e-mail for them all), or
    nothing when another sender is sending that user's digest."""
    first = await session.scalar(
        sa.select(EmailMessageRow)
        .where(EmailMessageRow.status == PENDING, EmailMessageRow.send_after <= now)
        .order_by(EmailMessageRow.send_after, EmailMessageRow.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if first is None:
        return []
    if first.kind != "digest":
        return [first]
    # One sender per user's digest: the others back off (their transaction ends,
    # releasing what they hold), and this one waits for the rest of the items.
    if not await session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(_digest_key(first)))):
        return []
    rest = await session.scalars(
        sa.select(EmailMessageRow)
        .where(
            EmailMessageRow.status == PENDING,
            EmailMessageRow.kind == "digest",
            EmailMessageRow.tenant_id == first.tenant_id,
            EmailMessageRow.user_id == first.user_id,
            EmailMessageRow.send_after <= now,
            EmailMessageRow.id != first.id,
        )
        .order_by(EmailMessageRow.created_at, EmailMessageRow.id)
        .with_for_update()
    )
    return [first, *rest]


def _digest_key(row: EmailMessageRow) -> int:
    digest = hashlib.sha256(f"email-digest:{row.tenant_id}:{row.user_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
