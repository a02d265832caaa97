"""Service appointments: book a technician's visit for a work order, read, list,
reschedule or change status, delete.

Module ``work_orders``. A technician is never booked twice at once: every
booking of one technician takes that technician's advisory lock for the rest of
its transaction, then checks for an overlapping active appointment, so two
concurrent bookings take turns and the second finds the first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from crm_common.access import (
    AccessContext,
    check_writable_fields,
    hidden_fields,
    may_edit_record,
    require,
    require_record_edit,
)
from crm_common.errors import AlreadyExists, PermissionDenied
from crm_common.pagination import Page
from crm_common.recycle_bin import soft_delete
from support.adapters.field_repository import FieldRepository
from support.adapters.orm_field import ServiceAppointmentRow, WorkOrderRow
from support.adapters.schedule_repository import AppointmentFilters, ScheduleRepository
from support.domain import appointments as rules
from support.domain import work_orders as order_rules
from support.service_layer.deps import SupportDeps
from support.service_layer.field_shared import actor, check_version, commit, given

MODULE = order_rules.MODULE
SCHEDULING = frozenset({"technician_id", "scheduled_start", "scheduled_end", "status"})


@dataclass(frozen=True)
class VisibleAppointment:
    row: ServiceAppointmentRow
    hidden: frozenset[str]


async def create_appointment(
    values: dict[str, Any], ctx: AccessContext, deps: SupportDeps
) -> VisibleAppointment:
    require(ctx, MODULE, "create")
    check_writable_fields(ctx, MODULE, values)
    values = rules.clean({**rules.NEW_DEFAULTS, **given(values)})
    rules.validate(values, creating=True)
    async with deps.uow() as uow:
        order = await FieldRepository(uow.session, ctx).work_order_for_link(values["work_order_id"])
        require_record_edit(ctx, MODULE, str(order.owner_id))
        order_rules.check_open(order.status)
        schedule = ScheduleRepository(uow.session, ctx)
        await _check_free(schedule, values, None)
        if values.get("asset_id") is None:
            values["asset_id"] = order.asset_id
        if order.status == order_rules.NEW:
            order.status = order_rules.SCHEDULED
            order.updated_by = actor(ctx)
        row = ServiceAppointmentRow(
            id=uuid.uuid4(), tenant_id=schedule.tenant_id, created_by=actor(ctx)
        )
        _assign(row, values, ctx)
        uow.session.add(row)
        await commit(uow)
    return VisibleAppointment(row, hidden_fields(ctx, MODULE))


async def get_appointment(
    appointment_id: uuid.UUID, ctx: AccessContext, deps: SupportDeps
) -> VisibleAppointment:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        row = await ScheduleRepository(uow.session, ctx).appointment(appointment_id)
    return VisibleAppointment(row, hidden_fields(ctx, MODULE))


async def list_appointments(
    ctx: AccessContext, deps: SupportDeps, filters: AppointmentFilters, *, limit: int,
    cursor: str | None,
) -> Page[VisibleAppointment]:  # fmt: skip
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        page = await ScheduleRepository(uow.session, ctx).appointments(
            filters, limit=limit, cursor=cursor
        )
    hidden = hidden_fields(ctx, MODULE)
    return Page([VisibleAppointment(row, hidden) for row in page.items], page.next_cursor)


async def update_appointment(
    appointment_id: uuid.UUID, changes: dict[str, Any], expected_version: int,
    ctx: AccessContext, deps: SupportDeps,
) -> VisibleAppointment:  # fmt: skip
    require(ctx, MODULE, "edit")
    check_writable_fields(ctx, MODULE, changes)
    changes = rules.clean(changes)
    async with deps.uow() as uow:
        schedule = ScheduleRepository(uow.session, ctx)
        row = await _editable(schedule, appointment_id, expected_version)
        rules.check_open(row.status)
        merged = {**_values(row), **changes}
        rules.validate(merged, creating=False)
        rules.check_transition(row.status, merged["status"])
        if SCHEDULING & set(changes):
            await _check_free(schedule, merged, row.id)
        _assign(row, changes, ctx)
        await commit(uow)
    return VisibleAppointment(row, hidden_fields(ctx, MODULE))


async def delete_appointment(
    appointment_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: SupportDeps
) -> None:
    require(ctx, MODULE, "delete")
    async with deps.uow() as uow:
        schedule = ScheduleRepository(uow.session, ctx)
        row = await _editable(schedule, appointment_id, expected_version)
        await soft_delete(uow.session, ServiceAppointmentRow, row.tenant_id, row.id, actor(ctx))
        await commit(uow)


async def _editable(
    schedule: ScheduleRepository, appointment_id: uuid.UUID, expected_version: int
) -> ServiceAppointmentRow:
    """The technician's own visits, and those of work orders the caller may edit."""
    row: ServiceAppointmentRow = await schedule.appointment(appointment_id, for_update=True)
    order = await schedule.session.get(WorkOrderRow, row.work_order_id)
    owners = [str(row.technician_id), str(order.owner_id) if order else ""]
    if not any(may_edit_record(schedule.ctx, MODULE, owner) for owner in owners if owner):
        raise PermissionDenied("this appointment is shared with you read-only")
    check_version(expected_version, row.version)
    return row


async def _check_free(
    schedule: ScheduleRepository, values: dict[str, Any], skip: uuid.UUID | None
) -> None:
    """409 naming technician_id when an active visit would overlap another."""
    if values["status"] not in rules.ACTIVE:
        return
    technician = values["technician_id"]
    await schedule.lock_technician(technician)
    start, end = values["scheduled_start"], values["scheduled_end"]
    if await schedule.technician_busy(technician, start, end, skip):
        raise AlreadyExists(
            "the technician has another appointment at that time", field="technician_id"
        )


def _values(row: ServiceAppointmentRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in rules.FIELDS}


def _assign(row: ServiceAppointmentRow, values: dict[str, Any], ctx: AccessContext) -> None:
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = actor(ctx)
