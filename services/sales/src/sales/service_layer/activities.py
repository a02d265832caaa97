"""Activities (tasks, calls, meetings): create, read, list, update, delete.

Same enforcement as accounts: module permission, owner-based record visibility,
record edit, writable and hidden fields; the related record must be one the
caller may see. One unit of work per handler.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from crm_common.access import (
    AccessContext,
    check_writable_fields,
    hidden_fields,
    require,
    require_record_edit,
)
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import VersionConflict
from crm_common.pagination import Page
from crm_common.recycle_bin import soft_delete
from sales.adapters.activity_repository import MODULE, ActivityFilters, ActivityRepository
from sales.adapters.orm_activities import ActivityRow
from sales.domain import activities as rules
from sales.domain.commands import CreateRecord, DeleteRecord, UpdateRecord
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor, owner_for


@dataclass(frozen=True)
class VisibleActivity:
    row: ActivityRow
    hidden: frozenset[str]


async def create_activity(
    cmd: CreateRecord, ctx: AccessContext, deps: SalesDeps
) -> VisibleActivity:
    require(ctx, MODULE, "create")
    check_writable_fields(ctx, MODULE, cmd.values)
    values = rules.clean({**rules.NEW_DEFAULTS, **cmd.values})
    rules.validate(values)
    owner_id = owner_for(ctx, MODULE, values.pop("owner_id", None))
    async with deps.uow() as uow:
        repo = ActivityRepository(uow.session, ctx)
        await repo.check_related(values["related_type"], values["related_id"])
        await repo.check_contacts(values["attendees"])
        row = ActivityRow(id=uuid.uuid4(), tenant_id=repo.tenant_id, owner_id=owner_id)
        _assign(row, values, ctx)
        row.created_by = row.updated_by
        uow.session.add(row)
        await uow.commit()
    return VisibleActivity(row, hidden_fields(ctx, MODULE))


async def get_activity(
    activity_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps
) -> VisibleActivity:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        row = await ActivityRepository(uow.session, ctx).get(activity_id)
    return VisibleActivity(row, hidden_fields(ctx, MODULE))


async def list_activities(
    ctx: AccessContext, deps: SalesDeps, filters: ActivityFilters, *, limit: int, cursor: str | None
) -> Page[VisibleActivity]:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        page = await ActivityRepository(uow.session, ctx).page(filters, limit=limit, cursor=cursor)
    hidden = hidden_fields(ctx, MODULE)
    return Page([VisibleActivity(row, hidden) for row in page.items], page.next_cursor)


async def update_activity(
    cmd: UpdateRecord, ctx: AccessContext, deps: SalesDeps
) -> VisibleActivity:
    require(ctx, MODULE, "edit")
    check_writable_fields(ctx, MODULE, cmd.changes)
    changes = rules.clean(cmd.changes)
    async with deps.uow() as uow:
        repo = ActivityRepository(uow.session, ctx)
        row = await _editable(repo, cmd.record_id, cmd.expected_version)
        if "owner_id" in changes:
            changes["owner_id"] = owner_for(ctx, MODULE, changes["owner_id"])
        merged = {**_values(row), **changes}
        rules.validate(merged)
        if {"related_type", "related_id"} & set(changes):
            await repo.check_related(merged["related_type"], merged["related_id"])
        await repo.check_contacts(changes.get("attendees", []))
        if "reminder_at" in changes and changes["reminder_at"] != row.reminder_at:
            changes["reminded_at"] = None  # a new reminder time re-arms the reminder
        _assign(row, changes, ctx)
        await _commit(uow)
    return VisibleActivity(row, hidden_fields(ctx, MODULE))


async def delete_activity(cmd: DeleteRecord, ctx: AccessContext, deps: SalesDeps) -> None:
    require(ctx, MODULE, "delete")
    async with deps.uow() as uow:
        repo = ActivityRepository(uow.session, ctx)
        row = await _editable(repo, cmd.record_id, cmd.expected_version)
        await soft_delete(uow.session, ActivityRow, repo.tenant_id, row.id, actor(ctx))
        await _commit(uow)


async def _editable(
    repo: ActivityRepository, activity_id: uuid.UUID, expected_version: int
) -> ActivityRow:
    row = await repo.get(activity_id, for_update=True)
    require_record_edit(repo.ctx, MODULE, str(row.owner_id))
    if expected_version and expected_version != row.version:
        raise VersionConflict(f"activity is at version {row.version}, not {expected_version}")
    return row


def _values(row: ActivityRow) -> dict[str, Any]:
    names = ("type", "subject", "description", "related_type", "related_id", "status")
    more = ("priority", "location", "attendees", "direction", "duration_seconds", "outcome")
    times = ("due_at", "start_at", "end_at", "reminder_at")
    return {name: getattr(row, name) for name in (*names, *more, *times)}


def _assign(row: ActivityRow, values: Mapping[str, Any], ctx: AccessContext) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    if "status" in values:
        row.completed_at = rules.completed_at(row.status, row.completed_at, utcnow())
    row.updated_by = actor(ctx)


async def _commit(uow: UnitOfWork) -> None:
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict("the activity changed concurrently; read it again") from exc
