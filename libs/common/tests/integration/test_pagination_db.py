"""Keyset pagination over a real PostgreSQL table, including ties and concurrent inserts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import Integer, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from crm_common.db import Base, TenantScoped
from crm_common.errors import InvalidArgument
from crm_common.pagination import encode_cursor, paginate

Sessions = async_sessionmaker[AsyncSession]
TOTAL = 57
START = datetime(2026, 1, 1, tzinfo=UTC)


class PgItem(TenantScoped, Base):
    __tablename__ = "pg_test_items"

    n: Mapped[int] = mapped_column(Integer)


@pytest_asyncio.fixture(scope="module")
async def items_table(db_engine: AsyncEngine) -> AsyncIterator[None]:
    async with db_engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=[PgItem.__table__])
    yield
    async with db_engine.begin() as conn:
        await conn.run_sync(Base.metadata.drop_all, tables=[PgItem.__table__])


@pytest_asyncio.fixture
async def tenant(items_table: None, db_sessions: Sessions) -> uuid.UUID:
    """A tenant with 57 items; every 7 consecutive items share one created_at, so
    page boundaries fall inside runs of equal timestamps."""
    async with db_sessions() as session:
        await session.execute(text("TRUNCATE pg_test_items"))
        tenant_id = uuid.uuid4()
        session.add_all(item(tenant_id, n, START + timedelta(minutes=n // 7)) for n in range(TOTAL))
        session.add(item(uuid.uuid4(), 999, START))  # another tenant's, never listed
        await session.commit()
    return tenant_id


def item(tenant_id: uuid.UUID, n: int, created_at: datetime) -> PgItem:
    return PgItem(tenant_id=tenant_id, n=n, created_at=created_at)


async def fetch_page(
    sessions: Sessions, tenant_id: uuid.UUID, cursor: str | None, *, descending: bool = False
) -> tuple[list[PgItem], str | None]:
    query = select(PgItem).where(PgItem.tenant_id == tenant_id)
    order = (PgItem.created_at, PgItem.id)
    async with sessions() as session:
        page = await paginate(session, query, order, limit=10, cursor=cursor, descending=descending)
    return page.items, page.next_cursor


async def fetch_all(
    sessions: Sessions, tenant_id: uuid.UUID, *, descending: bool = False
) -> list[PgItem]:
    items, cursor = await fetch_page(sessions, tenant_id, None, descending=descending)
    while cursor is not None:
        more, cursor = await fetch_page(sessions, tenant_id, cursor, descending=descending)
        items += more
    return items


def sort_key(row: PgItem) -> tuple[datetime, uuid.UUID]:
    return (row.created_at, row.id)


async def test_every_row_exactly_once_in_order_despite_ties(
    db_sessions: Sessions, tenant: uuid.UUID
) -> None:
    items = await fetch_all(db_sessions, tenant)
    assert sorted(i.n for i in items) == list(range(TOTAL))
    assert items == sorted(items, key=sort_key)


async def test_pages_are_full_until_the_last(db_sessions: Sessions, tenant: uuid.UUID) -> None:
    sizes: list[int] = []
    items, cursor = await fetch_page(db_sessions, tenant, None)
    sizes.append(len(items))
    while cursor is not None:
        items, cursor = await fetch_page(db_sessions, tenant, cursor)
        sizes.append(len(items))
    assert sizes == [10, 10, 10, 10, 10, 7]


async def test_descending_every_row_once_newest_first(
    db_sessions: Sessions, tenant: uuid.UUID
) -> None:
    items = await fetch_all(db_sessions, tenant, descending=True)
    assert sorted(i.n for i in items) == list(range(TOTAL))
    assert items == sorted(items, key=sort_key, reverse=True)
    assert items[0].n >= 56 - 56 % 7  # from the newest run of timestamps


@pytest.mark.parametrize("cursor", ["garbage!", "bm90LWpzb24", encode_cursor([1])])
async def test_invalid_cursor_is_a_field_error(
    db_sessions: Sessions, tenant: uuid.UUID, cursor: str
) -> None:
    with pytest.raises(InvalidArgument) as info:
        await fetch_page(db_sessions, tenant, cursor)
    assert info.value.violations[0].field == "cursor"


@pytest.mark.parametrize("descending", [False, True])
async def test_inserts_between_pages_cause_no_duplicates(
    db_sessions: Sessions, tenant: uuid.UUID, descending: bool
) -> None:
    items, cursor = await fetch_page(db_sessions, tenant, None, descending=descending)
    inserted = 0
    while cursor is not None:
        # Rows before, inside and after the current position, with tied timestamps.
        async with db_sessions() as session:
            for minutes in (-1, 3, 100):
                session.add(item(tenant, 1000 + inserted, START + timedelta(minutes=minutes)))
                inserted += 1
            await session.commit()
        more, cursor = await fetch_page(db_sessions, tenant, cursor, descending=descending)
        items += more
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids))
    assert {i.n for i in items} >= set(range(TOTAL))
    assert items == sorted(items, key=sort_key, reverse=descending)
