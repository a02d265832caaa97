"""Transactional outbox: staging events in the caller's transaction.

The relay that publishes staged rows to JetStream lives in ``relay.py``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.events.envelope import NewEvent, build_envelope
from crm_common.events.tables import OutboxMessage


def stage_events(session: AsyncSession, events: Iterable[NewEvent], *, source: str) -> None:
    for event in events:
        envelope = build_envelope(event, source=source)
        headers = {"traceparent": envelope.traceparent, "tracestate": envelope.tracestate}
        session.add(
            OutboxMessage(
                event_id=uuid.UUID(event.id),
                subject=event.type,
                tenant_id=event.tenant_id,
                payload=envelope.SerializeToString(),
                headers=json.dumps({k: v for k, v in headers.items() if v}),
            )
        )


# --- Queries of the relay (relay.py). Each takes the caller's session/transaction. ---

# One relay publishes at a time per database (transaction-scoped advisory lock): with
# several replicas, SKIP LOCKED alone would let two batches be published concurrently
# and events of one record could reach JetStream out of order.
RELAY_LOCK_KEY = 0x43524D_0B  # "CRM" + outbox; any constant unique within the database


@dataclass(frozen=True)
class PendingRow:
    seq: int
    event_id: uuid.UUID
    subject: str
    payload: bytes
    headers: dict[str, str]


async def try_lock_relay(session: AsyncSession) -> bool:
    locked = await session.scalar(select(func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY)))
    return bool(locked)


async def claim_batch(session: AsyncSession, limit: int) -> list[PendingRow]:
    """Oldest unpublished rows, locked until the transaction ends; rows another relay
    holds are skipped rather than waited for."""
    query = (
        select(
            OutboxMessage.seq,
            OutboxMessage.event_id,
            OutboxMessage.subject,
            OutboxMessage.payload,
            OutboxMessage.headers,
        )
        .where(OutboxMessage.published_at.is_(None))
        .order_by(OutboxMessage.seq)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = (await session.execute(query)).all()
    return [
        PendingRow(r.seq, r.event_id, r.subject, r.payload, json.loads(r.headers or "{}"))
        for r in rows
    ]


async def mark_published(session: AsyncSession, seqs: Sequence[int]) -> None:
    if seqs:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.seq.in_(seqs)).values(published_at=func.now())
        )


async def record_failure(session: AsyncSession, seqs: Sequence[int], error: str) -> None:
    if seqs:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.seq.in_(seqs), OutboxMessage.published_at.is_(None))
            .values(attempts=OutboxMessage.attempts + 1, last_error=error[:2000])
        )


async def backlog_stats(session: AsyncSession) -> tuple[int, float]:
    """(unpublished rows, age in seconds of the oldest one), ages by the database clock."""
    query = select(
        func.count(),
        func.coalesce(func.extract("epoch", func.now() - func.min(OutboxMessage.created_at)), 0),
    ).where(OutboxMessage.published_at.is_(None))
    count, age = (await session.execute(query)).one()
    return int(count), float(age)


async def delete_published(session: AsyncSession, older_than: timedelta) -> int:
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.published_at.is_not(None),
            OutboxMessage.published_at < func.now() - older_than,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
