"""Timelogs on cases and work orders: log time, list with totals, delete.

Module ``timelogs`` (owner: the user who spent the time) plus sight of the case
(module ``cases``) or work order (module ``work_orders``) the time was spent on.
Timelogs are removed for good: contract consumption and totals drop at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from crm_common.access import AccessContext, can, hidden_fields, may_edit_record, require
from crm_common.db import utcnow
from crm_common.errors import InvalidArgument, PermissionDenied
from crm_common.pagination import Page
from support.adapters.field_repository import CASES_MODULE, FieldRepository
from support.adapters.orm_field import TimelogRow
from support.adapters.schedule_repository import ScheduleRepository
from support.domain import timelogs as rules
from support.domain import work_orders as order_rules
from support.service_layer.deps import SupportDeps
from support.service_layer.field_shared import actor, commit, owner_for

MODULE = rules.MODULE
FUTURE_LIMIT = timedelta(days=1)  # started_at may not lie further ahead than this


@dataclass(frozen=True)
class VisibleTimelog:
    row: TimelogRow
    hidden: frozenset[str]


@dataclass(frozen=True)
class TimelogPage:
    page: Page[VisibleTimelog]
    totals: rules.Totals


async def create_timelog(
    values: dict[str, Any], ctx: AccessContext, deps: SupportDeps
) -> VisibleTimelog:
    require(ctx, MODULE, "create")
    values = {"billable": True, "note": "", **values}
    values["note"] = values["note"].strip()
    rules.validate(values)
    started_at = values.get("started_at") or utcnow()
    if started_at > utcnow() + FUTURE_LIMIT:
        raise InvalidArgument.for_field("started_at", "lies too far in the future")
    values.update(started_at=started_at)
    values["user_id"] = owner_for(ctx, MODULE, values.get("user_id"), field="user_id")
    async with deps.uow() as uow:
        repo = FieldRepository(uow.session, ctx)
        await _check_parent(repo, values.get("case_id"), values.get("work_order_id"))
        row = TimelogRow(id=uuid.uuid4(), tenant_id=repo.tenant_id, created_by=actor(ctx),
                         updated_by=actor(ctx), **values)  # fmt: skip
        uow.session.add(row)
        await commit(uow)
    return VisibleTimelog(row, hidden_fields(ctx, MODULE))


async def list_timelogs(
    case_id: uuid.UUID | None, order_id: uuid.UUID | None, ctx: AccessContext,
    deps: SupportDeps, *, limit: int, cursor: str | None,
) -> TimelogPage:  # fmt: skip
    """The caller's visible timelogs of the case or work order, newest first,
    with totals over all of them."""
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        await _check_parent(FieldRepository(uow.session, ctx), case_id, order_id)
        schedule = ScheduleRepository(uow.session, ctx)
        page = await schedule.timelogs(case_id, order_id, limit=limit, cursor=cursor)
        totals = await schedule.timelog_totals(case_id, order_id)
    hidden = hidden_fields(ctx, MODULE)
    items = [VisibleTimelog(row, hidden) for row in page.items]
    return TimelogPage(Page(items, page.next_cursor), totals)


async def delete_timelog(timelog_id: uuid.UUID, ctx: AccessContext, deps: SupportDeps) -> None:
    """The author deletes with timelogs:edit; others need timelogs:delete and
    edit rights over the author's records (their manager, an administrator)."""
    if not (can(ctx, MODULE, "edit") or can(ctx, MODULE, "delete")):
        raise PermissionDenied("not allowed to delete timelogs")
    async with deps.uow() as uow:
        row = await ScheduleRepository(uow.session, ctx).timelog(timelog_id)
        if str(row.user_id) != ctx.user_id:
            require(ctx, MODULE, "delete")
            if not may_edit_record(ctx, MODULE, str(row.user_id)):
                raise PermissionDenied("this timelog is shared with you read-only")
        await uow.session.delete(row)
        await commit(uow)


async def _check_parent(
    repo: FieldRepository, case_id: uuid.UUID | None, order_id: uuid.UUID | None
) -> None:
    """The case or work order must be one the caller may see (404 otherwise)."""
    if case_id is not None:
        require(repo.ctx, CASES_MODULE, "view")
        await repo.visible_case(case_id)
    elif order_id is not None:
        require(repo.ctx, order_rules.MODULE, "view")
        await repo.work_order(order_id)
    else:
        raise InvalidArgument.for_field("case_id", "give exactly one of case_id, work_order_id")
