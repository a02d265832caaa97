"""Queries on follows and notifications, always scoped to one tenant."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.errors import NotFound
from crm_common.pagination import Page, paginate
from notifications.adapters.orm import FollowRow, NotificationRow


class NotificationRepository:
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def follow_of(
        self, user_id: uuid.UUID, record_type: str, record_id: uuid.UUID
    ) -> FollowRow | None:
        return await self.session.scalar(
            select(FollowRow).where(
                FollowRow.tenant_id == self.tenant_id, FollowRow.user_id == user_id,
                FollowRow.record_type == record_type, FollowRow.record_id == record_id,
            )
        )  # fmt: skip

    async def follow(self, user_id: uuid.UUID, follow_id: uuid.UUID) -> FollowRow:
        row = await self.session.scalar(
            select(FollowRow).where(
                FollowRow.tenant_id == self.tenant_id, FollowRow.user_id == user_id,
                FollowRow.id == follow_id,
            )
        )  # fmt: skip
        if row is None:
            raise NotFound(f"follow {follow_id} not found")
        return row

    async def follows(self, user_id: uuid.UUID, limit: int, cursor: str | None) -> Page[FollowRow]:
        stmt = select(FollowRow).where(
            FollowRow.tenant_id == self.tenant_id, FollowRow.user_id == user_id
        )
        order = (FollowRow.created_at, FollowRow.id)
        return await paginate(self.session, stmt, order, limit=limit, cursor=cursor)

    async def followers(self, record_type: str, record_id: uuid.UUID) -> list[str]:
        users = await self.session.scalars(
            select(FollowRow.user_id).where(
                FollowRow.tenant_id == self.tenant_id, FollowRow.record_type == record_type,
                FollowRow.record_id == record_id,
            )
        )  # fmt: skip
        return [str(user) for user in users]

    async def add_notification(self, values: dict[str, object]) -> uuid.UUID | None:
        """Insert unless (event, user) exists; the new id, or None for a duplicate."""
        stmt = (
            insert(NotificationRow)
            .values(id=uuid.uuid4(), tenant_id=self.tenant_id, **values)
            .on_conflict_do_nothing(index_elements=["event_id", "user_id"])
            .returning(NotificationRow.id)
        )
        return await self.session.scalar(stmt)

    def _mine(self, user_id: uuid.UUID) -> ColumnElement[bool]:
        """The user's notifications as the centre shows them (in-app channel on)."""
        return and_(
            NotificationRow.tenant_id == self.tenant_id,
            NotificationRow.user_id == user_id,
            NotificationRow.in_app.is_(True),
        )

    async def notifications(
        self, user_id: uuid.UUID, *, unread: bool, limit: int, cursor: str | None
    ) -> Page[NotificationRow]:
        stmt = select(NotificationRow).where(self._mine(user_id))
        if unread:
            stmt = stmt.where(NotificationRow.read_at.is_(None))
        order = (NotificationRow.created_at, NotificationRow.id)
        return await paginate(
            self.session, stmt, order, limit=limit, cursor=cursor, descending=True
        )

    async def notifications_by_id(self, ids: list[uuid.UUID]) -> list[NotificationRow]:
        rows = await self.session.scalars(
            select(NotificationRow).where(
                NotificationRow.tenant_id == self.tenant_id, NotificationRow.id.in_(ids)
            )
        )
        return list(rows)

    async def unread_count(self, user_id: uuid.UUID) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(NotificationRow)
            .where(self._mine(user_id), NotificationRow.read_at.is_(None))
        )
        return int(count or 0)

    async def notification(self, user_id: uuid.UUID, notification_id: uuid.UUID) -> NotificationRow:
        row = await self.session.scalar(
            select(NotificationRow).where(
                self._mine(user_id), NotificationRow.id == notification_id
            )
        )
        if row is None:
            raise NotFound(f"notification {notification_id} not found")
        return row

    async def mark_all_read(self, user_id: uuid.UUID, now: datetime) -> int:
        result = await self.session.execute(
            update(NotificationRow)
            .where(self._mine(user_id), NotificationRow.read_at.is_(None))
            .values(read_at=now, version=NotificationRow.version + 1)
        )
        return int(getattr(result, "rowcount", 0) or 0)
