"""Recycle bin against a real PostgreSQL table."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from sqlalchemy import String, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped, utcnow
from crm_common.errors import FailedPrecondition, NotFound
from crm_common.recycle_bin import (
    RETENTION,
    active,
    list_deleted,
    purge_expired,
    restore,
    soft_delete,
)

Sessions = async_sessionmaker[AsyncSession]


class RbNote(TenantScoped, Base):
    __tablename__ = "rb_test_notes"

    title: Mapped[str] = mapped_column(String(100))


@pytest_asyncio.fixture(scope="module")
async def notes_table(db_engine: AsyncEngine) -> AsyncIterator[None]:
    async with db_engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=[RbNote.__table__])
    yield
    async with db_engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all, tables=[RbNote.__table__])


@pytest_asyncio.fixture
async def sessions(notes_table: None, db_sessions: Sessions) -> Sessions:
    async with db_sessions() as session:
        await session.execute(text("TRUNCATE rb_test_notes"))
        await session.commit()
    return db_sessions


async def add_notes(sessions: Sessions, tenant_id: uuid.UUID, count: int = 1) -> list[uuid.UUID]:
    notes = [RbNote(tenant_id=tenant_id, title=f"note {n}") for n in range(count)]
    async with sessions() as session:
        session.add_all(notes)
        await session.commit()
    return [note.id for note in notes]


async def delete_note(
    sessions: Sessions, tenant_id: uuid.UUID, note_id: uuid.UUID, days_ago: float = 0
) -> None:
    async with sessions() as session:
        now = utcnow() - timedelta(days=days_ago)
        await soft_delete(session, RbNote, tenant_id, note_id, None, now=now)
        await session.commit()


async def active_ids(sessions: Sessions, tenant_id: uuid.UUID) -> set[uuid.UUID]:
    async with sessions() as session:
        query = select(RbNote.id).where(RbNote.tenant_id == tenant_id, active(RbNote))
        return set((await session.scalars(query)).all())


async def all_ids(sessions: Sessions) -> set[uuid.UUID]:
    async with sessions() as session:
        return set((await session.scalars(select(RbNote.id))).all())


async def test_delete_hides_list_shows_restore_brings_back(sessions: Sessions) -> None:
    tenant, actor = uuid.uuid4(), uuid.uuid4()
    keep, note_id = await add_notes(sessions, tenant, 2)

    async with sessions() as session:
        row = await soft_delete(session, RbNote, tenant, note_id, actor)
        await session.commit()
    assert row.deleted_at is not None
    assert row.updated_by == actor
    assert row.version == 2
    assert await active_ids(sessions, tenant) == {keep}

    async with sessions() as session:
        page = await list_deleted(session, RbNote, tenant, 10, None)
    assert [n.id for n in page.items] == [note_id]
    assert page.next_cursor is None

    restorer = uuid.uuid4()
    async with sessions() as session:
        row = await restore(session, RbNote, tenant, note_id, restorer)
        await session.commit()
    assert row.deleted_at is None
    assert row.updated_by == restorer
    assert await active_ids(sessions, tenant) == {keep, note_id}
    async with sessions() as session:
        assert (await list_deleted(session, RbNote, tenant, 10, None)).items == []


async def test_without_commit_nothing_is_deleted(sessions: Sessions) -> None:
    tenant = uuid.uuid4()
    [note_id] = await add_notes(sessions, tenant)
    async with sessions() as session:
        await soft_delete(session, RbNote, tenant, note_id, None)
        await session.rollback()
    assert await active_ids(sessions, tenant) == {note_id}


async def test_restore_after_retention_is_a_failed_precondition(sessions: Sessions) -> None:
    tenant = uuid.uuid4()
    [note_id] = await add_notes(sessions, tenant)
    await delete_note(sessions, tenant, note_id, days_ago=31)
    async with sessions() as session:
        with pytest.raises(FailedPrecondition):
            await restore(session, RbNote, tenant, note_id, None)
    assert await active_ids(sessions, tenant) == set()


async def test_restore_just_inside_the_window_works(sessions: Sessions) -> None:
    tenant = uuid.uuid4()
    [note_id] = await add_notes(sessions, tenant)
    await delete_note(sessions, tenant, note_id, days_ago=29.9)
    async with sessions() as session:
        await restore(session, RbNote, tenant, note_id, None)
        await session.commit()
    assert await active_ids(sessions, tenant) == {note_id}


async def test_other_tenants_missing_and_wrong_state_are_not_found(sessions: Sessions) -> None:
    tenant, other = uuid.uuid4(), uuid.uuid4()
    [note_id] = await add_notes(sessions, tenant)
    async with sessions() as session:
        with pytest.raises(NotFound):
            await soft_delete(session, RbNote, other, note_id, None)
        with pytest.raises(NotFound):
            await soft_delete(session, RbNote, tenant, uuid.uuid4(), None)
        with pytest.raises(NotFound):
            await restore(session, RbNote, tenant, note_id, None)  # not deleted
    await delete_note(sessions, tenant, note_id)
    async with sessions() as session:
        with pytest.raises(NotFound):
            await soft_delete(session, RbNote, tenant, note_id, None)  # already deleted
        with pytest.raises(NotFound):
            await restore(session, RbNote, other, note_id, None)
        assert (await list_deleted(session, RbNote, other, 10, None)).items == []


async def test_list_deleted_newest_first_with_cursor_and_without_expired(
    sessions: Sessions,
) -> None:
    tenant = uuid.uuid4()
    ids = await add_notes(sessions, tenant, 6)
    for days_ago, note_id in zip([0, 7, 14, 29, 31], ids, strict=False):
        await delete_note(sessions, tenant, note_id, days_ago=days_ago)
    seen: list[uuid.UUID] = []
    cursor: str | None = None
    while True:
        async with sessions() as session:
            page = await list_deleted(session, RbNote, tenant, 2, cursor)
        seen += [n.id for n in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert seen == ids[:4]  # the one deleted 31 days ago is past the window; ids[5] is live


async def test_purge_removes_only_expired_rows_of_every_tenant(sessions: Sessions) -> None:
    tenants = [uuid.uuid4(), uuid.uuid4()]
    expired: set[uuid.UUID] = set()
    kept: set[uuid.UUID] = set()
    for tenant in tenants:
        ids = await add_notes(sessions, tenant, 6)
        for note_id in ids[:3]:
            await delete_note(sessions, tenant, note_id, days_ago=31)
        await delete_note(sessions, tenant, ids[3], days_ago=29)
        expired |= set(ids[:3])
        kept |= set(ids[3:])

    async with sessions() as session:
        assert await purge_expired(session, RbNote, batch=4) == 6
    assert await all_ids(sessions) == kept

    async with sessions() as session:
        assert await purge_expired(session, RbNote) == 0
        later = utcnow() + timedelta(days=2)
        assert await purge_expired(session, RbNote, now=later) == 2  # the 29-day-old ones
    assert len(await all_ids(sessions)) == 4  # the never-deleted ones


async def test_purge_with_exact_batch_multiple_and_custom_retention(sessions: Sessions) -> None:
    tenant = uuid.uuid4()
    ids = await add_notes(sessions, tenant, 4)
    for note_id in ids:
        await delete_note(sessions, tenant, note_id, days_ago=2)
    async with sessions() as session:
        assert await purge_expired(session, RbNote, retention=timedelta(days=3)) == 0
        assert await purge_expired(session, RbNote, retention=timedelta(days=1), batch=2) == 4
    assert await all_ids(sessions) == set()
    assert timedelta(days=30) == RETENTION
