"""Cases: create, read, list, update, status changes, assignment, delete.

Access: module ``cases``; records are owner-based like sales' (a case's owner
for visibility and edits is its owner, else its group, else its creator; see
case_repository.RECORD_OWNER). One unit of work per handler; events go to the
outbox in the same transaction (crm.support.case.created|assigned|
status_changed|resolved).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm.exc import StaleDataError

from crm_common.access import (
    AccessContext,
    check_writable_fields,
    hidden_fields,
    may_edit_record,
    require,
    require_record_edit,
)
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import (
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    VersionConflict,
)
from crm_common.pagination import Page
from crm_common.recycle_bin import soft_delete
from support.adapters.case_repository import CaseFilters, CaseRepository, record_owner
from support.adapters.orm_cases import CaseRow
from support.domain import cases as rules
from support.metrics import CASES_CREATED
from support.service_layer import case_events, case_sla
from support.service_layer.case_assignment import (
    AssignmentPlan,
    choose_owner,
    plan_assignment,
)
from support.service_layer.case_directory import directory_of
from support.service_layer.case_numbers import next_case_number
from support.service_layer.deps import SupportDeps
from support.service_layer.sla_policies import match_policy

MODULE = rules.MODULE


@dataclass(frozen=True)
class VisibleCase:
    row: CaseRow
    hidden: frozenset[str]


@dataclass(frozen=True)
class CreateCase:
    values: Mapping[str, Any]  # names from rules.EDITABLE, only those given
    reported_at: datetime | None = None
    assignment: str = ""


@dataclass(frozen=True)
class UpdateCase:
    case_id: uuid.UUID
    changes: Mapping[str, Any] = field(default_factory=dict)
    expected_version: int = 0


@dataclass(frozen=True)
class AssignCase:
    case_id: uuid.UUID
    expected_version: int = 0
    owner_id: uuid.UUID | None = None
    group_id: uuid.UUID | None = None
    assignment: str = ""


def actor(ctx: AccessContext) -> uuid.UUID | None:
    return uuid.UUID(ctx.user_id) if ctx.user_id else None


def _check_owner(ctx: AccessContext, owner_id: uuid.UUID) -> None:
    """No handing a case to someone whose cases the caller may not edit."""
    if str(owner_id) != ctx.user_id and not may_edit_record(ctx, MODULE, str(owner_id)):
        raise PermissionDenied("you may not give cases to that owner", field="owner_id")


async def create_case(cmd: CreateCase, ctx: AccessContext, deps: SupportDeps) -> VisibleCase:
    require(ctx, MODULE, "create")
    check_writable_fields(ctx, MODULE, cmd.values)
    defaults = {"status": "new", "channel": "web", "description": "", "account_tier": ""}
    values = rules.clean({**defaults, **cmd.values})
    rules.validate({**values, "assignment": cmd.assignment}, creating=True)
    rules.check_initial_status(values["status"])
    now = utcnow()
    reported_at = cmd.reported_at or now
    rules.check_reported_at(reported_at, now)
    tenant_id = uuid.UUID(ctx.tenant_id)
    plan: AssignmentPlan | None = None
    if cmd.assignment:
        plan = await plan_assignment(
            directory_of(deps), tenant_id, values["group_id"], cmd.assignment
        )
    elif values.get("owner_id") is not None:
        _check_owner(ctx, values["owner_id"])
    elif values.get("group_id") is None:
        values["owner_id"] = actor(ctx)  # the caller's case (an API key's: unassigned)
    async with deps.uow() as uow:
        row = CaseRow(id=uuid.uuid4(), tenant_id=tenant_id, reported_at=reported_at)
        _assign(row, values, ctx)
        row.created_by = row.updated_by
        row.sla_status = "on_track"
        row.escalation_level = 0
        if plan is not None:
            row.owner_id = await choose_owner(uow.session, plan)
        policy = await match_policy(
            uow.session,
            tenant_id,
            priority=row.priority,
            account_tier=row.account_tier,
            service_contract_id=row.service_contract_id,
        )
        row.number = await next_case_number(uow.session, tenant_id, now.year)
        uow.session.add(row)
        await case_sla.start_clock(uow.session, row, policy, now)
        by = actor(ctx)
        uow.record(case_events.case_changed(rules.CASE_CREATED, row, actor=by))
        if row.owner_id is not None and row.owner_id != by:
            uow.record(case_events.case_changed(rules.CASE_ASSIGNED, row, actor=by))
        await uow.commit()
    CASES_CREATED.labels(priority=row.priority).inc()
    return VisibleCase(row, hidden_fields(ctx, MODULE))


async def get_case(case_id: uuid.UUID, ctx: AccessContext, deps: SupportDeps) -> VisibleCase:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        row = await CaseRepository(uow.session, ctx).get(case_id)
    return VisibleCase(row, hidden_fields(ctx, MODULE))


async def list_cases(
    ctx: AccessContext, deps: SupportDeps, filters: CaseFilters, *, limit: int, cursor: str | None
) -> Page[VisibleCase]:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        page = await CaseRepository(uow.session, ctx).page(filters, limit=limit, cursor=cursor)
    hidden = hidden_fields(ctx, MODULE)
    return Page([VisibleCase(row, hidden) for row in page.items], page.next_cursor)


async def update_case(cmd: UpdateCase, ctx: AccessContext, deps: SupportDeps) -> VisibleCase:
    require(ctx, MODULE, "edit")
    check_writable_fields(ctx, MODULE, cmd.changes)
    unknown = set(cmd.changes) - rules.EDITABLE
    if unknown:
        raise InvalidArgument.for_field(sorted(unknown)[0], "cannot be changed")
    changes = rules.clean(cmd.changes)
    rules.validate(changes, creating=False)
    if changes.get("owner_id") is not None:
        _check_owner(ctx, changes["owner_id"])
    async with deps.uow() as uow:
        row = await _editable(CaseRepository(uow.session, ctx), cmd.case_id, cmd.expected_version)
        previous_owner = row.owner_id
        status = changes.pop("status", None)
        _assign(row, changes, ctx)
        if status is not None and status != row.status:
            await _change_status(uow, row, status, ctx, deps)
        if row.owner_id != previous_owner:
            uow.record(
                case_events.case_changed(
                    rules.CASE_ASSIGNED, row, actor=actor(ctx), previous_owner_id=previous_owner
                )
            )
        await commit_case(uow)
    return VisibleCase(row, hidden_fields(ctx, MODULE))


async def set_status(
    case_id: uuid.UUID, expected_version: int, status: str, ctx: AccessContext, deps: SupportDeps
) -> VisibleCase:
    """resolve / close / reopen (status open): the same rules as update_case."""
    require(ctx, MODULE, "edit")
    async with deps.uow() as uow:
        row = await _editable(CaseRepository(uow.session, ctx), case_id, expected_version)
        if status == "open" and row.status not in rules.DONE:
            raise FailedPrecondition(
                f"only a resolved or closed case can be reopened, not a {row.status} one"
            )
        await _change_status(uow, row, status, ctx, deps)
        row.updated_by = actor(ctx)
        await commit_case(uow)
    return VisibleCase(row, hidden_fields(ctx, MODULE))


async def assign_case(cmd: AssignCase, ctx: AccessContext, deps: SupportDeps) -> VisibleCase:
    require(ctx, MODULE, "edit")
    values = {"assignment": cmd.assignment, "group_id": cmd.group_id, "owner_id": cmd.owner_id}
    rules.validate(values, creating=False)
    plan: AssignmentPlan | None = None
    tenant_id = uuid.UUID(ctx.tenant_id)
    if cmd.assignment and cmd.group_id is not None:
        plan = await plan_assignment(directory_of(deps), tenant_id, cmd.group_id, cmd.assignment)
    elif cmd.owner_id is not None:
        _check_owner(ctx, cmd.owner_id)
    elif cmd.group_id is None:
        raise InvalidArgument.for_field("owner_id", "give owner_id, or group_id (and assignment)")
    async with deps.uow() as uow:
        row = await _editable(CaseRepository(uow.session, ctx), cmd.case_id, cmd.expected_version)
        previous_owner = row.owner_id
        if cmd.group_id is not None:
            row.group_id = cmd.group_id
        if plan is not None:
            row.owner_id = await choose_owner(uow.session, plan)
        elif cmd.owner_id is not None:
            row.owner_id = cmd.owner_id
        else:
            row.owner_id = None  # into the group's queue
        row.updated_by = actor(ctx)
        uow.record(
            case_events.case_changed(
                rules.CASE_ASSIGNED, row, actor=actor(ctx), previous_owner_id=previous_owner
            )
        )
        await commit_case(uow)
    return VisibleCase(row, hidden_fields(ctx, MODULE))


async def delete_case(
    case_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: SupportDeps
) -> None:
    require(ctx, MODULE, "delete")
    async with deps.uow() as uow:
        repo = CaseRepository(uow.session, ctx)
        row = await _editable(repo, case_id, expected_version)
        await soft_delete(uow.session, CaseRow, repo.tenant_id, row.id, actor(ctx))
        await commit_case(uow)


# ---- helpers ----


async def _change_status(
    uow: UnitOfWork, row: CaseRow, status: str, ctx: AccessContext, deps: SupportDeps
) -> None:
    now = utcnow()
    old = row.status
    rules.check_transition(
        old,
        status,
        done_at=row.resolved_at or row.closed_at,
        now=now,
        reopen_days=deps.settings.reopen_days,
    )
    if old == status:
        return
    await case_sla.change_status(uow.session, row, status, now)
    by = actor(ctx)
    uow.record(case_events.case_changed(rules.CASE_STATUS_CHANGED, row, actor=by, from_status=old))
    if status == "resolved":
        uow.record(case_events.case_changed(rules.CASE_RESOLVED, row, actor=by, from_status=old))


async def _editable(repo: CaseRepository, case_id: uuid.UUID, expected_version: int) -> CaseRow:
    row = await repo.get(case_id, for_update=True)
    require_record_edit(repo.ctx, MODULE, record_owner(row))
    if expected_version and expected_version != row.version:
        raise VersionConflict(f"case is at version {row.version}, not {expected_version}")
    return row


def _assign(row: CaseRow, values: Mapping[str, Any], ctx: AccessContext) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = actor(ctx)


async def commit_case(uow: UnitOfWork) -> None:
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict("the case changed concurrently; read it again") from exc
