"""Follows: the caller follows a sales record they can see, lists and drops
their follows. One unit of work per handler."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from crm_common.errors import InvalidArgument, NotFound
from crm_common.pagination import Page
from notifications.adapters.orm import FollowRow
from notifications.adapters.repository import NotificationRepository
from notifications.domain.rules import RECORD_TYPES
from notifications.service_layer.deps import Caller, NotificationsDeps, RecordCheck


def parse_record(record_type: str, record_id: str) -> tuple[str, uuid.UUID]:
    if record_type not in RECORD_TYPES:
        raise InvalidArgument.for_field("record_type", f"must be one of {', '.join(RECORD_TYPES)}")
    try:
        return record_type, uuid.UUID(record_id)
    except ValueError as exc:
        raise InvalidArgument.for_field("record_id", "must be a UUID") from exc


async def follow(
    caller: Caller, record_type: str, record_id: str, visible: RecordCheck,
    deps: NotificationsDeps,
) -> FollowRow:  # fmt: skip
    """Follow once: a second follow of the same record returns the first."""
    kind, rid = parse_record(record_type, record_id)
    if not await visible(kind, rid):
        raise NotFound(f"{kind} {rid} not found")
    async with deps.uow() as uow:
        repo = NotificationRepository(uow.session, caller.tenant_id)
        existing = await repo.follow_of(caller.user_id, kind, rid)
        if existing is not None:
            return existing
        row = FollowRow(
            id=uuid.uuid4(), tenant_id=caller.tenant_id, created_by=caller.user_id,
            user_id=caller.user_id, record_type=kind, record_id=rid,
        )  # fmt: skip
        uow.session.add(row)
        try:
            await uow.commit()
        except IntegrityError:
            await uow.rollback()  # a concurrent follow of the same record won
            found = await repo.follow_of(caller.user_id, kind, rid)
            if found is None:
                raise
            return found
    return row


async def list_follows(
    caller: Caller, deps: NotificationsDeps, *, limit: int, cursor: str | None
) -> Page[FollowRow]:
    async with deps.uow() as uow:
        repo = NotificationRepository(uow.session, caller.tenant_id)
        return await repo.follows(caller.user_id, limit, cursor)


async def unfollow(caller: Caller, follow_id: str, deps: NotificationsDeps) -> None:
    try:
        fid = uuid.UUID(follow_id)
    except ValueError as exc:
        raise NotFound(f"follow {follow_id} not found") from exc
    async with deps.uow() as uow:
        repo = NotificationRepository(uow.session, caller.tenant_id)
        await uow.session.delete(await repo.follow(caller.user_id, fid))
        await uow.commit()
