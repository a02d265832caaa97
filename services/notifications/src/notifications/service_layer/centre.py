"""The notification centre: the caller's notifications, unread count, mark read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from crm_common.db import utcnow
from crm_common.errors import NotFound
from crm_common.pagination import Page
from notifications.adapters.orm import NotificationRow
from notifications.adapters.repository import NotificationRepository
from notifications.service_layer.deps import Caller, NotificationsDeps


@dataclass(frozen=True)
class Centre:
    page: Page[NotificationRow]
    unread_count: int


async def list_notifications(
    caller: Caller, deps: NotificationsDeps, *, unread: bool, limit: int, cursor: str | None
) -> Centre:
    async with deps.uow() as uow:
        repo = NotificationRepository(uow.session, caller.tenant_id)
        page = await repo.notifications(caller.user_id, unread=unread, limit=limit, cursor=cursor)
        return Centre(page, await repo.unread_count(caller.user_id))


async def unread_count(caller: Caller, deps: NotificationsDeps) -> int:
    async with deps.uow() as uow:
        repo = NotificationRepository(uow.session, caller.tenant_id)
        return await repo.unread_count(caller.user_id)


async def mark_read(
    caller: Caller, notification_id: str, deps: NotificationsDeps
) -> NotificationRow:
    try:
        nid = uuid.UUID(notification_id)
    except ValueError as exc:
        raise NotFound(f"notification {notification_id} not found") from exc
    async with deps.uow() as uow:
        row = await NotificationRepository(uow.session, caller.tenant_id).notification(
            caller.user_id, nid
        )
        if row.read_at is None:
            row.read_at = utcnow()
            await uow.commit()
    return row


async def mark_all_read(caller: Caller, deps: NotificationsDeps) -> int:
    async with deps.uow() as uow:
        repo = NotificationRepository(uow.session, caller.tenant_id)
        updated = await repo.mark_all_read(caller.user_id, utcnow())
        await uow.commit()
    return updated
