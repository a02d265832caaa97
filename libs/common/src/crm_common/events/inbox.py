"""Inbox: the record of which events a consumer has handled (idempotent consumers)."""

from __future__ import annotations

import uuid

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.events.tables import InboxEntry


async def claim_event(
    session: AsyncSession, consumer: str, event_id: uuid.UUID, subject: str
) -> bool:
    """Insert the inbox row in the caller's transaction; False when the event was handled
    already. A concurrent delivery of the same event waits on the primary key until the
    first transaction ends, then sees the conflict: the handler never runs twice."""
    statement = (
        insert(InboxEntry)
        .values(consumer=consumer, event_id=event_id, subject=subject)
        .on_conflict_do_nothing(index_elements=[InboxEntry.consumer, InboxEntry.event_id])
        .returning(InboxEntry.event_id)
    )
    inserted = await session.scalar(statement)
    return inserted is not None
