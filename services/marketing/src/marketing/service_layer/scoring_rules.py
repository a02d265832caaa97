"""Scoring rules and the tenant's marketing settings (module campaigns). A
change of the rules or the threshold rescores the tenant's prospects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, require
from crm_common.errors import FieldViolation, InvalidArgument
from crm_common.pagination import Page
from crm_common.recycle_bin import soft_delete
from marketing.adapters.orm import ScoringRuleRow, SettingsRow
from marketing.domain.business_days import zone
from marketing.domain.conditions import Condition, problems
from marketing.domain.segments import ENGAGEMENT_TYPES
from marketing.service_layer import scoring
from marketing.service_layer.common import (
    TenantSettings,
    actor,
    check_version,
    commit,
    get_visible_tenant,
    page_tenant,
    tenant_of,
    tenant_settings,
)
from marketing.service_layer.deps import MarketingDeps

MODULE = "campaigns"
KINDS = ("fit", "engagement")


@dataclass(frozen=True)
class RuleInput:
    name: str
    kind: str
    active: bool
    field: str = ""
    op: str = ""
    value: str = ""
    values: tuple[str, ...] = ()
    engagement_type: str = ""
    points: int = 0
    max_points: int = 0
    half_life_days: int = 0


def _validate(r: RuleInput) -> None:
    found: list[FieldViolation] = []
    if not r.name.strip() or len(r.name) > 200:
        found.append(FieldViolation("name", "1..200 characters"))
    if r.kind not in KINDS:
        found.append(FieldViolation("kind", "must be fit or engagement"))
    if not -100 <= r.points <= 100:
        found.append(FieldViolation("points", "must be between -100 and 100"))
    if r.kind == "fit":
        found.extend(
            (FieldViolation(v.field.removeprefix("rule."), v.message))
            for v in problems(Condition(r.field, r.op, r.value, r.values), "rule")
        )
    elif r.kind == "engagement":
        if r.engagement_type not in ENGAGEMENT_TYPES:
            found.append(
                FieldViolation("engagement_type", f"must be one of {', '.join(ENGAGEMENT_TYPES)}")
            )
        if not 0 <= r.max_points <= 100:
            found.append(FieldViolation("max_points", "must be between 0 and 100 (0: no cap)"))
        if not 0 <= r.half_life_days <= 3650:
            found.append(FieldViolation("half_life_days", "must be between 0 and 3650"))
    if found:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in found), found)


def _assign(row: ScoringRuleRow, r: RuleInput) -> None:
    row.name, row.kind, row.active, row.points = r.name.strip(), r.kind, r.active, r.points
    fit = r.kind == "fit"
    row.field, row.op = (r.field, r.op) if fit else ("", "")
    row.value, row.values = (r.value, list(r.values)) if fit else ("", [])
    row.engagement_type = "" if fit else r.engagement_type
    row.max_points = 0 if fit else r.max_points
    row.half_life_days = 0 if fit else r.half_life_days


async def _rescore(ctx: AccessContext, deps: MarketingDeps) -> None:
    await scoring.rescore_tenant(deps.uow, tenant_of(ctx), deps.settings, deps.now())


async def create_rule(r: RuleInput, ctx: AccessContext, deps: MarketingDeps) -> ScoringRuleRow:
    require(ctx, MODULE, "create")
    _validate(r)
    async with deps.uow() as uow:
        row = ScoringRuleRow(id=uuid.uuid4(), tenant_id=tenant_of(ctx), created_by=actor(ctx),
                             updated_by=actor(ctx))  # fmt: skip
        _assign(row, r)
        uow.session.add(row)
        await uow.commit()
    await _rescore(ctx, deps)
    return row


async def _load(session: AsyncSession, ctx: AccessContext, rule_id: uuid.UUID) -> ScoringRuleRow:
    return await get_visible_tenant(session, ScoringRuleRow, ctx, rule_id, "scoring rule")


async def get_rule(rule_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps) -> ScoringRuleRow:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await _load(uow.session, ctx, rule_id)


async def list_rules(
    ctx: AccessContext, deps: MarketingDeps, *, limit: int, cursor: str | None
) -> Page[ScoringRuleRow]:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await page_tenant(uow.session, ScoringRuleRow, ctx, limit=limit, cursor=cursor)


async def update_rule(
    rule_id: uuid.UUID, r: RuleInput, expected: int, ctx: AccessContext, deps: MarketingDeps
) -> ScoringRuleRow:
    require(ctx, MODULE, "edit")
    _validate(r)
    async with deps.uow() as uow:
        row = await _load(uow.session, ctx, rule_id)
        check_version(row, expected, "scoring rule")
        _assign(row, r)
        row.updated_by = actor(ctx)
        await commit(uow, "scoring rule")
    await _rescore(ctx, deps)
    return row


async def delete_rule(rule_id: uuid.UUID, ctx: AccessContext, deps: MarketingDeps) -> None:
    require(ctx, MODULE, "delete")
    async with deps.uow() as uow:
        await soft_delete(uow.session, ScoringRuleRow, tenant_of(ctx), rule_id, actor(ctx))
        await commit(uow, "scoring rule")
    await _rescore(ctx, deps)


async def get_settings(ctx: AccessContext, deps: MarketingDeps) -> TenantSettings:
    require(ctx, MODULE, "view")
    async with deps.uow() as uow:
        return await tenant_settings(uow.session, tenant_of(ctx), deps.settings)


async def update_settings(
    threshold: int | None,
    mails: int | None,
    timezone: str | None,
    *,
    expected: int,
    ctx: AccessContext,
    deps: MarketingDeps,
) -> TenantSettings:
    require(ctx, MODULE, "edit")
    found: list[FieldViolation] = []
    if threshold is not None and not 1 <= threshold <= 100:
        found.append(FieldViolation("mql_threshold", "must be between 1 and 100"))
    if mails is not None and not 1 <= mails <= 10000:
        found.append(FieldViolation("mails_per_minute", "must be between 1 and 10000"))
    if timezone is not None:
        try:
            zone(timezone)
        except InvalidArgument:
            found.append(FieldViolation("timezone", "is not an IANA time zone"))
    if found:
        raise InvalidArgument("; ".join(f"{v.field}: {v.message}" for v in found), found)
    tenant_id = tenant_of(ctx)
    async with deps.uow() as uow:
        row = await uow.session.get(SettingsRow, tenant_id, with_for_update=True)
        if row is None:
            current = await tenant_settings(uow.session, tenant_id, deps.settings)
            row = SettingsRow(
                tenant_id=tenant_id, mql_threshold=current.mql_threshold,
                mails_per_minute=current.mails_per_minute, timezone="UTC", version=0,
            )  # fmt: skip
            uow.session.add(row)
        elif expected and expected != row.version:
            check_version(row, expected, "settings")
        changed_threshold = threshold is not None and threshold != row.mql_threshold
        row.mql_threshold = threshold if threshold is not None else row.mql_threshold
        row.mails_per_minute = mails if mails is not None else row.mails_per_minute
        row.timezone = timezone if timezone is not None else row.timezone
        row.version += 1
        row.updated_at = deps.now()
        await uow.commit()
    if changed_threshold:
        await _rescore(ctx, deps)
    return TenantSettings(row.mql_threshold, row.mails_per_minute, row.timezone, row.version)
