"""Async SQLAlchemy engine, the declarative base and the unit of work.

A unit of work owns one transaction. Handlers record events on it; at commit the
events are written to the outbox table in the same transaction, and the outbox
relay is woken up to publish them (``crm_common.events``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, Integer, MetaData, Uuid, func
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

if TYPE_CHECKING:
    from crm_common.events.envelope import NewEvent

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of one service's tables (each process imports one service)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class TenantScoped:
    """Columns every business record has: identity, tenant, audit, soft delete,
    and a version for optimistic concurrency (SQLAlchemy raises StaleDataError
    when an UPDATE finds the row changed underneath)."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
        # A failed statement's error text leaves out its bound values: they are
        # customers' data (names, e-mails) and must not reach the logs.
        hide_parameters=True,
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class UnitOfWork:
    """One transaction. ``async with uow: ...; await uow.commit()``; leaving the
    block without commit rolls back, so a failure leaves nothing half-made."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        source: str,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self._source = source
        self._on_commit = on_commit
        self._events: list[NewEvent] = []
        self.session: AsyncSession

    async def __aenter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self._events = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back anything uncommitted without expiring loaded rows, so
        # handlers may still read what they loaded after the block.
        await self.session.close()

    def record(self, event: NewEvent) -> None:
        """Queue an event; it is written to the outbox when the transaction commits."""
        self._events.append(event)

    async def commit(self) -> None:
        from crm_common.events.outbox import stage_events

        stage_events(self.session, self._events, source=self._source)
        await self.session.commit()
        had_events = bool(self._events)
        self._events = []
        if had_events and self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        self._events = []
        await self.session.rollback()
