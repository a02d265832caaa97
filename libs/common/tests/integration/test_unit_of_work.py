"""Unit of work against a real PostgreSQL: atomic row + outbox, rollback, optimistic
concurrency."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import String, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from crm.identity.v1.events_pb2 import SigningKeyRotated
from crm_common.db import Base, TenantScoped, UnitOfWork
from crm_common.events.envelope import NewEvent, parse_envelope, unpack_payload
from crm_common.events.tables import OutboxMessage

Sessions = async_sessionmaker[AsyncSession]
SUBJECT = "crm.test.note.created"


class UowNote(TenantScoped, Base):
    __tablename__ = "uow_test_notes"

    title: Mapped[str] = mapped_column(String(100))


@pytest_asyncio.fixture(scope="module")
async def notes_table(db_engine: AsyncEngine) -> AsyncIterator[None]:
    async with db_engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=[UowNote.__table__])
    yield
    async with db_engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all, tables=[UowNote.__table__])


@pytest_asyncio.fixture
async def sessions(notes_table: None, db_sessions: Sessions) -> Sessions:
    async with db_sessions() as session:
        await session.execute(text("TRUNCATE uow_test_notes"))
        await session.commit()
    return db_sessions


def note_created(note: UowNote) -> NewEvent:
    return NewEvent(
        type=SUBJECT,
        tenant_id=str(note.tenant_id),
        subject_id=str(note.id),
        payload=SigningKeyRotated(kid="x"),
    )


def new_note(title: str = "hello") -> UowNote:
    return UowNote(id=uuid.uuid4(), tenant_id=uuid.uuid4(), title=title)


async def counts(sessions: Sessions) -> tuple[int, int]:
    async with sessions() as session:
        notes = len((await session.scalars(select(UowNote.id))).all())
        outbox = len((await session.scalars(select(OutboxMessage.seq))).all())
    return notes, outbox


async def test_commit_writes_row_and_outbox_in_one_transaction(sessions: Sessions) -> None:
    calls: list[None] = []
    note = new_note()
    event = note_created(note)
    async with UnitOfWork(sessions, source="test", on_commit=lambda: calls.append(None)) as uow:
        uow.session.add(note)
        uow.record(event)
        await uow.commit()
    assert calls == [None]

    async with sessions() as session:
        row = await session.scalar(select(OutboxMessage))
        assert row is not None
        assert row.event_id == uuid.UUID(event.id)
        assert row.subject == SUBJECT
        envelope = parse_envelope(row.payload)
        assert envelope.id == event.id
        assert envelope.source == "test"
        assert unpack_payload(envelope, SigningKeyRotated).kid == "x"
        # Both rows were written by the same transaction (same xmin).
        note_xmin = await session.scalar(text("SELECT xmin::text FROM uow_test_notes"))
        outbox_xmin = await session.scalar(text("SELECT xmin::text FROM outbox"))
    assert note_xmin == outbox_xmin


async def test_commit_without_events_does_not_wake_the_relay(sessions: Sessions) -> None:
    calls: list[None] = []
    async with UnitOfWork(sessions, source="test", on_commit=lambda: calls.append(None)) as uow:
        uow.session.add(new_note())
        await uow.commit()
    assert calls == []
    assert await counts(sessions) == (1, 0)


async def test_leaving_without_commit_writes_nothing(sessions: Sessions) -> None:
    calls: list[None] = []
    async with UnitOfWork(sessions, source="test", on_commit=lambda: calls.append(None)) as uow:
        note = new_note()
        uow.session.add(note)
        uow.record(note_created(note))
        await uow.session.flush()  # the rows reached the database, then are rolled back
    assert calls == []
    assert await counts(sessions) == (0, 0)


async def test_exception_inside_writes_nothing(sessions: Sessions) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with UnitOfWork(sessions, source="test") as uow:
            note = new_note()
            uow.session.add(note)
            uow.record(note_created(note))
            await uow.session.flush()
            raise RuntimeError("boom")
    assert await counts(sessions) == (0, 0)


async def test_rollback_discards_recorded_events(sessions: Sessions) -> None:
    async with UnitOfWork(sessions, source="test") as uow:
        note = new_note()
        uow.session.add(note)
        uow.record(note_created(note))
        await uow.rollback()
        await uow.commit()
    assert await counts(sessions) == (0, 0)


async def insert_note(sessions: Sessions) -> UowNote:
    note = new_note("v1")
    async with UnitOfWork(sessions, source="test") as uow:
        uow.session.add(note)
        await uow.commit()
    return note


async def test_second_writer_of_a_stale_version_fails(sessions: Sessions) -> None:
    note = await insert_note(sessions)
    async with (
        UnitOfWork(sessions, source="test") as first,
        UnitOfWork(sessions, source="test") as second,
    ):
        mine = await first.session.get_one(UowNote, note.id)
        theirs = await second.session.get_one(UowNote, note.id)
        mine.title = "first"
        theirs.title = "second"
        await first.commit()
        with pytest.raises(StaleDataError):
            await second.commit()

    async with sessions() as session:
        stored = await session.get_one(UowNote, note.id)
    assert (stored.title, stored.version) == ("first", 2)


async def test_concurrent_writers_one_wins_none_is_lost(sessions: Sessions) -> None:
    """Real concurrency: both tasks read version 1, then race to update; the loser's
    UPDATE waits on the winner's row lock and then matches no row."""
    note = await insert_note(sessions)
    both_read = asyncio.Barrier(2)

    async def write(title: str) -> str:
        async with UnitOfWork(sessions, source="test") as uow:
            row = await uow.session.get_one(UowNote, note.id)
            await both_read.wait()
            row.title = title
            try:
                await uow.commit()
            except StaleDataError:
                return "stale"
            return "ok"

    results = await asyncio.wait_for(asyncio.gather(write("a"), write("b")), timeout=10)
    assert sorted(results) == ["ok", "stale"]
    async with sessions() as session:
        stored = await session.get_one(UowNote, note.id)
    winner = "a" if results[0] == "ok" else "b"
    assert (stored.title, stored.version) == (winner, 2)
