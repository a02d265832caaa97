"""Business-hours calendars: create, read, list, update, delete.

Help-desk configuration: module ``cases``; view to read; changing needs ``cases:edit``
and every record of the tenant (administrators: like warehouses and assignment rules,
so Support Agents, who edit cases, may only view). Calendars belong to the tenant (no
record owner). One unit of work per handler.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from crm_common.access import AccessContext, require
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    VersionConflict,
)
from crm_common.pagination import Page
from support.adapters.orm_sla import BusinessHoursRow
from support.adapters.sla_repository import SlaRepository
from support.domain.calendars import CalendarSpec, validate_spec
from support.service_layer.deps import SupportDeps

MODULE = "cases"
NAME_INDEX = "uq_business_hours_tenant_name"
CALENDAR_FIELDS = frozenset({"name", "timezone", "weekly", "holidays", "always_open"})


@dataclass(frozen=True)
class UpdateCalendar:
    record_id: uuid.UUID
    changes: dict[str, Any] = field(default_factory=dict)
    expected_version: int = 0


def require_config_change(ctx: AccessContext) -> None:
    """Changing help-desk configuration: cases:edit and every record of the tenant."""
    require(ctx, MODULE, "edit")
    if not ctx.all_records:
        raise PermissionDenied("help-desk configuration is managed by administrators")


def tenant(ctx: AccessContext) -> uuid.UUID:
    return uuid.UUID(ctx.tenant_id)


def actor(ctx: AccessContext) -> uuid.UUID | None:
    return uuid.UUID(ctx.user_id) if ctx.user_id else None


async def commit(uow: UnitOfWork) -> None:
    """Commit; a stale version is 409 (ABORTED), a taken name 409 naming ``name``."""
    try:
        await uow.commit()
    except StaleDataError as exc:
        raise VersionConflict("the record changed concurrently; read it again") from exc
    except IntegrityError as exc:
        if NAME_INDEX in str(exc.orig):
            raise AlreadyExists("a calendar with this name exists", field="name") from exc
        raise


def _clean_name(value: Any) -> str:
    name = str(value or "").strip()
    if not name or len(name) > 200:
        raise InvalidArgument.for_field("name", "1 to 200 characters")
    return name


def _validated(values: dict[str, Any]) -> dict[str, Any]:
    spec = validate_spec(
        CalendarSpec(
            timezone=str(values.get("timezone") or ""),
            weekly=values.get("weekly") or {},
            holidays=values.get("holidays") or [],
            always_open=bool(values.get("always_open", False)),
        )
    )
    return {
        "name": _clean_name(values.get("name")),
        "timezone": spec.timezone,
        "weekly": dict(spec.weekly),
        "holidays": list(spec.holidays),
        "always_open": spec.always_open,
    }


async def create_business_hours(
    values: dict[str, Any], ctx: AccessContext, deps: SupportDeps
) -> BusinessHoursRow:
    require_config_change(ctx)
    clean = _validated(values)
    async with deps.uow() as uow:
        repo = SlaRepository(uow.session, tenant(ctx))
        if await repo.calendar_name_taken(clean["name"]):
            raise AlreadyExists("a calendar with this name exists", field="name")
        row = BusinessHoursRow(id=uuid.uuid4(), tenant_id=tenant(ctx), created_by=actor(ctx))
        for name, value in clean.items():
            setattr(row, name, value)
        row.updated_by = actor(ctx)
        uow.session.add(row)
        await commit(uow)
    return row


async def get_business_hours(
    calendar_id: uuid.UUID, ctx: AccessContext, deps: SupportDeps
) -> BusinessHoursRow:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await SlaRepository(uow.session, tenant(ctx)).calendar(calendar_id)


async def list_business_hours(
    ctx: AccessContext, deps: SupportDeps, *, limit: int, cursor: str | None
) -> Page[BusinessHoursRow]:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await SlaRepository(uow.session, tenant(ctx)).calendars(limit=limit, cursor=cursor)


async def update_business_hours(
    cmd: UpdateCalendar, ctx: AccessContext, deps: SupportDeps
) -> BusinessHoursRow:
    require_config_change(ctx)
    unknown = set(cmd.changes) - CALENDAR_FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidArgument.for_field(name, "is not a field of business hours")
    async with deps.uow() as uow:
        repo = SlaRepository(uow.session, tenant(ctx))
        row = await repo.calendar(cmd.record_id, for_update=True)
        if cmd.expected_version and cmd.expected_version != row.version:
            raise VersionConflict(f"record is at version {row.version}")
        current = {
            "name": row.name,
            "timezone": row.timezone,
            "weekly": row.weekly,
            "holidays": row.holidays,
            "always_open": row.always_open,
        }
        clean = _validated({**current, **cmd.changes})
        if "name" in cmd.changes and await repo.calendar_name_taken(clean["name"], exclude=row.id):
            raise AlreadyExists("a calendar with this name exists", field="name")
        for name in cmd.changes:
            setattr(row, name, clean[name])
        row.updated_by = actor(ctx)
        await commit(uow)
    return row


async def delete_business_hours(
    calendar_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: SupportDeps
) -> None:
    require_config_change(ctx)
    async with deps.uow() as uow:
        repo = SlaRepository(uow.session, tenant(ctx))
        row = await repo.calendar(calendar_id, for_update=True)
        if expected_version and expected_version != row.version:
            raise VersionConflict(f"record is at version {row.version}")
        used = await repo.policies_using(calendar_id)
        if used:
            raise FailedPrecondition(
                f"business hours are used by {used} SLA policies; change those first"
            )
        row.deleted_at = utcnow()
        row.updated_by = actor(ctx)
        await commit(uow)
