"""Recycle bin for any ``TenantScoped`` model: soft delete, list, restore, purge.

Deleting sets ``deleted_at``; repositories filter with ``active(Model)`` so a deleted
record disappears everywhere at once, yet can be restored for ``RETENTION`` (30 days).
After that a scheduled job hard-deletes it with ``purge_expired``. The restore and
purge rules use the same cut-off, so a record is always exactly one of restorable or
purgeable.

Handlers' functions flush but never commit: the caller's unit of work owns the
transaction (and records the event). ``purge_expired`` is a job, not a handler, and
commits after each batch to keep locks short.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.db import TenantScoped, utcnow
from crm_common.errors import FailedPrecondition, NotFound
from crm_common.pagination import Page, paginate

RETENTION = timedelta(days=30)

M = TypeVar("M", bound=TenantScoped)


def active(model: type[TenantScoped]) -> ColumnElement[bool]:
    """The condition every repository query of live records adds."""
    return model.deleted_at.is_(None)


def in_bin(model: type[TenantScoped]) -> ColumnElement[bool]:
    return model.deleted_at.is_not(None)


def _cutoff(now: datetime | None, retention: timedelta) -> datetime:
    """Rows deleted before this instant are past the retention window."""
    return (now or utcnow()) - retention


async def _load(
    session: AsyncSession,
    model: type[M],
    tenant_id: uuid.UUID,
    record_id: uuid.UUID,
    condition: ColumnElement[bool],
) -> M:
    """The tenant's row, or NotFound: another tenant's id is reported exactly like a
    missing one, so ids cannot be probed across tenants."""
    query = select(model).where(model.id == record_id, model.tenant_id == tenant_id, condition)
    row = await session.scalar(query)
    if row is None:
        raise NotFound(f"{model.__name__} {record_id} not found")
    return row


async def soft_delete(
    session: AsyncSession,
    model: type[M],
    tenant_id: uuid.UUID,
    record_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    *,
    now: datetime | None = None,
) -> M:
    """Move a live record to the bin; NotFound if missing, deleted or another tenant's."""
    row = await _load(session, model, tenant_id, record_id, active(model))
    row.deleted_at = now or utcnow()
    row.updated_by = actor_id
    await session.flush()
    return row


async def restore(
    session: AsyncSession,
    model: type[M],
    tenant_id: uuid.UUID,
    record_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    *,
    now: datetime | None = None,
    retention: timedelta = RETENTION,
) -> M:
    """Bring a record back from the bin. FailedPrecondition once the retention window
    has passed (the record is due to be purged); NotFound if it is not in the bin."""
    row = await _load(session, model, tenant_id, record_id, in_bin(model))
    assert row.deleted_at is not None  # guaranteed by in_bin()
    if row.deleted_at < _cutoff(now, retention):
        days = retention.days
        raise FailedPrecondition(f"{model.__name__} {record_id} was deleted over {days} days ago")
    row.deleted_at = None
    row.updated_by = actor_id
    await session.flush()
    return row


async def list_deleted(
    session: AsyncSession,
    model: type[M],
    tenant_id: uuid.UUID,
    limit: int,
    cursor: str | None,
    *,
    now: datetime | None = None,
    retention: timedelta = RETENTION,
) -> Page[M]:
    """The tenant's restorable records, most recently deleted first. Records past the
    window are left out even before the purge job has run: they cannot be restored."""
    query = select(model).where(
        model.tenant_id == tenant_id,
        in_bin(model),
        model.deleted_at >= _cutoff(now, retention),
    )
    order = (model.deleted_at, model.id)
    return await paginate(session, query, order, limit=limit, cursor=cursor, descending=True)


async def purge_expired(
    session: AsyncSession,
    model: type[TenantScoped],
    now: datetime | None = None,
    retention: timedelta = RETENTION,
    batch: int = 500,
) -> int:
    """Hard-delete every tenant's records deleted before the window, ``batch`` rows per
    committed transaction; rows another transaction holds are skipped until the next
    run. Returns how many rows were removed."""
    cutoff = _cutoff(now, retention)
    purged = 0
    while True:
        removed = await _purge_batch(session, model, cutoff, batch)
        await session.commit()
        purged += removed
        if removed < batch:
            return purged


async def _purge_batch(
    session: AsyncSession, model: type[TenantScoped], cutoff: datetime, batch: int
) -> int:
    expired = model.deleted_at < cutoff
    ids = (
        select(model.id)
        .where(expired)
        .order_by(model.deleted_at)
        .limit(batch)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    result: Any = await session.execute(delete(model).where(model.id.in_(ids), expired))
    return int(result.rowcount)
