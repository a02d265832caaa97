"""SLA policies: ordered, first active match wins; and what the cases area asks
(``match_policy``, ``calendar_of``) inside its own transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, require
from crm_common.db import utcnow
from crm_common.errors import InvalidArgument, NotFound, VersionConflict
from crm_common.pagination import Page
from support.adapters.orm_sla import BusinessHoursRow, SlaPolicyRow
from support.adapters.sla_repository import SlaRepository
from support.domain import sla_policies as rules
from support.domain.business_time import Calendar
from support.domain.calendars import CalendarSpec, to_calendar
from support.domain.sla_policies import (
    DEFAULT_WARNING_PERCENT,
    PAUSABLE_STATUSES,
    Conditions,
    Escalation,
    MatchedPolicy,
    PolicyRule,
    first_match,
    reorder,
)
from support.service_layer.business_hours import actor, commit, require_config_change, tenant
from support.service_layer.deps import SupportDeps

# The clock of a policy without a calendar: every minute counts.
ALWAYS_OPEN = Calendar(timezone="UTC", weekly={}, holidays=frozenset(), always_open=True)


def calendar_from_row(row: BusinessHoursRow) -> Calendar:
    return to_calendar(
        CalendarSpec(
            timezone=row.timezone,
            weekly=row.weekly or {},
            holidays=row.holidays or [],
            always_open=bool(row.always_open),
        )
    )


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def conditions_of(row: SlaPolicyRow) -> Conditions:
    ids = {_uuid_or_none(v) for v in row.service_contract_ids or []}
    return Conditions(
        priorities=frozenset(row.priorities or []),
        account_tiers=frozenset(row.account_tiers or []),
        service_contract_ids=frozenset(i for i in ids if i is not None),
    )


def escalations_of(row: SlaPolicyRow) -> tuple[Escalation, ...]:
    items = [
        Escalation(
            level=int(e.get("level", 0)),
            after_minutes=int(e.get("after_minutes", 0)),
            group_id=_uuid_or_none(e.get("group_id")),
            notify_manager=bool(e.get("notify_manager", False)),
        )
        for e in row.escalations or []
    ]
    return tuple(sorted(items, key=lambda e: (e.level, e.after_minutes)))


def matched(row: SlaPolicyRow, calendar: Calendar) -> MatchedPolicy:
    return MatchedPolicy(
        id=row.id,
        name=row.name,
        calendar=calendar,
        first_response_minutes=row.first_response_minutes,
        next_response_minutes=row.next_response_minutes,
        resolution_minutes=row.resolution_minutes,
        warning_percent=row.warning_percent,
        pause_statuses=frozenset(row.pause_statuses or []),
        escalations=escalations_of(row),
    )


async def calendar_of(
    session: AsyncSession, tenant_id: uuid.UUID, calendar_id: uuid.UUID | None
) -> Calendar | None:
    """The tenant's live calendar as a :class:`Calendar`, or None when absent/deleted.
    ``calendar_id`` None is the 24x7 clock."""
    if calendar_id is None:
        return ALWAYS_OPEN
    row = await SlaRepository(session, tenant_id).find_calendar(calendar_id)
    return calendar_from_row(row) if row is not None else None


async def match_policy(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    priority: str,
    account_tier: str,
    service_contract_id: uuid.UUID | None,
) -> MatchedPolicy | None:
    """The first active policy (by position) whose conditions all hold; a condition list
    left empty matches everything. None when no policy matches."""
    repo = SlaRepository(session, tenant_id)
    rows = await repo.ordered_policies()
    by_id = {row.id: row for row in rows}
    rule = first_match(
        (PolicyRule(r.id, r.position, r.active, conditions_of(r)) for r in rows),
        priority=priority,
        account_tier=account_tier or "",
        service_contract_id=service_contract_id,
    )
    if rule is None:
        return None
    row = by_id[rule.id]
    calendar = await calendar_of(session, tenant_id, row.business_hours_id)
    return matched(row, calendar or ALWAYS_OPEN)


# -- CRUD -------------------------------------------------------------------------

MODULE = "cases"
NEW_POLICY_DEFAULTS: dict[str, Any] = {
    "active": True,
    "priorities": [],
    "account_tiers": [],
    "service_contract_ids": [],
    "business_hours_id": None,
    "first_response_minutes": None,
    "next_response_minutes": None,
    "resolution_minutes": None,
    "warning_percent": DEFAULT_WARNING_PERCENT,
    "pause_statuses": sorted(PAUSABLE_STATUSES),
    "escalations": [],
}


@dataclass(frozen=True)
class UpdatePolicy:
    record_id: uuid.UUID
    changes: dict[str, Any] = field(default_factory=dict)
    expected_version: int = 0


async def _check_calendar(repo: SlaRepository, calendar_id: uuid.UUID | None) -> None:
    if calendar_id is None:
        return
    try:
        await repo.calendar(calendar_id, for_share=True)
    except NotFound as exc:
        raise InvalidArgument.for_field(
            "business_hours_id", "no such business-hours calendar"
        ) from exc


async def _place(repo: SlaRepository, moving: SlaPolicyRow, position: int | None) -> None:
    """Renumber the tenant's policies 1..n with ``moving`` at ``position`` (None: keep
    its place, or last when new). The caller holds the tenant's policy lock."""
    rows = [r for r in await repo.ordered_policies(for_update=True) if r.id != moving.id]
    ids = [r.id for r in rows]
    if position is None:
        current = moving.position if moving.position else len(ids) + 1
        position = current
    order = reorder([*ids, moving.id], moving.id, position)
    by_id = {r.id: r for r in rows}
    by_id[moving.id] = moving
    for index, policy_id in enumerate(order, start=1):
        row = by_id[policy_id]
        if row.position != index:
            row.position = index


async def create_sla_policy(
    values: dict[str, Any], ctx: AccessContext, deps: SupportDeps
) -> SlaPolicyRow:
    require_config_change(ctx)
    clean = {**NEW_POLICY_DEFAULTS, **rules.clean_policy(values)}
    if "name" not in clean:
        raise InvalidArgument.for_field("name", "is required")
    rules.check_targets(clean)
    position = clean.pop("position", None)
    async with deps.uow() as uow:
        repo = SlaRepository(uow.session, tenant(ctx))
        await repo.lock_tenant_policies()
        await _check_calendar(repo, clean["business_hours_id"])
        row = SlaPolicyRow(
            id=uuid.uuid4(), tenant_id=tenant(ctx), created_by=actor(ctx), position=0
        )
        for name, value in clean.items():
            setattr(row, name, value)
        row.updated_by = actor(ctx)
        await _place(repo, row, position if position is not None else 1_000_000)
        uow.session.add(row)
        await commit(uow)
    return row


async def get_sla_policy(
    policy_id: uuid.UUID, ctx: AccessContext, deps: SupportDeps
) -> SlaPolicyRow:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await SlaRepository(uow.session, tenant(ctx)).policy(policy_id)


async def list_sla_policies(
    ctx: AccessContext,
    deps: SupportDeps,
    *,
    active_only: bool | None,
    limit: int,
    cursor: str | None,
) -> Page[SlaPolicyRow]:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        repo = SlaRepository(uow.session, tenant(ctx))
        return await repo.policies_page(active_only=active_only, limit=limit, cursor=cursor)


def _stored(row: SlaPolicyRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in NEW_POLICY_DEFAULTS}


async def update_sla_policy(
    cmd: UpdatePolicy, ctx: AccessContext, deps: SupportDeps
) -> SlaPolicyRow:
    require_config_change(ctx)
    changes = rules.clean_policy(cmd.changes)
    position = changes.pop("position", None)
    async with deps.uow() as uow:
        repo = SlaRepository(uow.session, tenant(ctx))
        await repo.lock_tenant_policies()
        row = await repo.policy(cmd.record_id, for_update=True)
        if cmd.expected_version and cmd.expected_version != row.version:
            raise VersionConflict(f"record is at version {row.version}")
        rules.check_targets({**_stored(row), **changes})
        if "business_hours_id" in changes:
            await _check_calendar(repo, changes["business_hours_id"])
        for name, value in changes.items():
            setattr(row, name, value)
        row.updated_by = actor(ctx)
        if position is not None:
            await _place(repo, row, position)
        await commit(uow)
    return row


async def delete_sla_policy(
    policy_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: SupportDeps
) -> None:
    require_config_change(ctx)
    async with deps.uow() as uow:
        repo = SlaRepository(uow.session, tenant(ctx))
        await repo.lock_tenant_policies()
        row = await repo.policy(policy_id, for_update=True)
        if expected_version and expected_version != row.version:
            raise VersionConflict(f"record is at version {row.version}")
        row.deleted_at = utcnow()
        row.updated_by = actor(ctx)
        await uow.session.flush()
        for index, other in enumerate(await repo.ordered_policies(for_update=True), start=1):
            if other.position != index:
                other.position = index
        await commit(uow)


async def preview_match(
    ctx: AccessContext,
    deps: SupportDeps,
    *,
    priority: str,
    account_tier: str,
    service_contract_id: uuid.UUID | None,
) -> SlaPolicyRow | None:
    """The policy a case with these attributes would get (for the API)."""
    require(ctx, MODULE, "view")
    if priority not in rules.PRIORITIES:
        raise InvalidArgument.for_field("priority", f"one of {', '.join(rules.PRIORITIES)}")
    async with deps.uow() as uow:
        found = await match_policy(
            uow.session,
            tenant(ctx),
            priority=priority,
            account_tier=account_tier,
            service_contract_id=service_contract_id,
        )
        if found is None:
            return None
        return await SlaRepository(uow.session, tenant(ctx)).policy(found.id)
