"""Deals: create, read, list, update (a new stage_id is a stage move), delete
(into the recycle bin).

Same enforcement as accounts: module permission, record visibility on owner_id,
record edit, writable and hidden fields; the account must be one the caller may
see. One unit of work per handler. ``stage_new_deal`` is the piece lead
conversion runs inside its own unit of work.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from crm_common.access import AccessContext, check_writable_fields, hidden_fields, require
from crm_common.db import UnitOfWork
from crm_common.pagination import Page
from crm_common.recycle_bin import soft_delete
from sales.adapters.account_repository import AccountRepository
from sales.adapters.deal_repository import DealDetails, DealFilters, DealRepository
from sales.adapters.orm_deals import DealRow, PipelineRow, StageRow
from sales.domain import deals as rules
from sales.domain.deal_commands import CreateDeal, UpdateDeal
from sales.domain.deals import DEALS
from sales.metrics import DEALS_WON_AMOUNT
from sales.service_layer import deal_events, deal_stages
from sales.service_layer.deal_units import check_editable, commit, owner_for, tenant_of
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor
from sales.service_layer.pipelines import default_pipeline

__all__ = ["CreateDeal", "PipelineRow", "VisibleDeal", "default_pipeline", "stage_new_deal"]
MOVE_FIELDS = ("pipeline_id", "stage_id", "probability", "lost_reason")


@dataclass(frozen=True)
class VisibleDeal:
    row: DealRow
    details: DealDetails
    hidden: frozenset[str]


async def stage_new_deal(uow: UnitOfWork, ctx: AccessContext, cmd: CreateDeal) -> DealRow:
    """Validate and add a new deal, its first history row and its created event to
    ``uow`` without committing (the caller's transaction decides)."""
    require(ctx, DEALS, "create")
    check_writable_fields(ctx, DEALS, cmd.values)
    values = rules.clean_deal(cmd.values)
    rules.validate_deal(values, values)
    owner_id = owner_for(ctx, values.pop("owner_id", None))
    tenant_id = tenant_of(ctx)
    if values.get("account_id") is not None:
        accounts = AccountRepository(uow.session, ctx)
        await accounts.get_referenced(values["account_id"], "account_id", for_share=True)
    _, stage = await deal_stages.resolve(
        uow.session, tenant_id, values.pop("pipeline_id", None), values.pop("stage_id", None)
    )
    return add_new_deal(uow, ctx, values, owner_id, stage, lead_id=cmd.lead_id)


def add_new_deal(
    uow: UnitOfWork,
    ctx: AccessContext,
    values: dict[str, Any],
    owner_id: uuid.UUID,
    stage: StageRow,
    *,
    lead_id: uuid.UUID | None = None,
) -> DealRow:
    """Add a checked new deal at ``stage`` (``values``: clean, without owner,
    pipeline and stage), its first history row and its events (CSV import too)."""
    deal = DealRow(id=uuid.uuid4(), tenant_id=tenant_of(ctx), owner_id=owner_id, lead_id=lead_id)
    history = deal_stages.arrive(
        deal,
        stage,
        ctx,
        probability=values.pop("probability", None),
        lost_reason=values.pop("lost_reason", ""),
    )
    _assign(deal, values, ctx)
    deal.created_by = deal.updated_by
    uow.session.add_all([deal, history])
    uow.record(deal_events.deal_changed(rules.DEAL_CREATED, deal, ctx))
    for closed in deal_events.stage_moved(deal, ctx, "", "")[1:]:  # created won or lost
        uow.record(closed)
    return deal


async def create_deal(cmd: CreateDeal, ctx: AccessContext, deps: SalesDeps) -> VisibleDeal:
    async with deps.uow() as uow:
        deal = await stage_new_deal(uow, ctx, cmd)
        await uow.commit()
        _count_won(deal, "")
        return await visible(DealRepository(uow.session, ctx), deal)


async def get_deal(deal_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps) -> VisibleDeal:
    require(ctx, DEALS, "view")
    async with deps.uow() as uow:
        repo = DealRepository(uow.session, ctx)
        return await visible(repo, await repo.get(deal_id))


async def list_deals(
    ctx: AccessContext,
    deps: SalesDeps,
    filters: DealFilters,
    *,
    sort: str,
    limit: int,
    cursor: str | None,
) -> Page[VisibleDeal]:
    require(ctx, DEALS, "view")
    async with deps.uow() as uow:
        repo = DealRepository(uow.session, ctx)
        page = await repo.page(filters, sort, limit=limit, cursor=cursor)
        details = await repo.details([deal.id for deal in page.items])
    hidden = hidden_fields(ctx, DEALS)
    return Page([VisibleDeal(d, details[d.id], hidden) for d in page.items], page.next_cursor)


async def update_deal(cmd: UpdateDeal, ctx: AccessContext, deps: SalesDeps) -> VisibleDeal:
    require(ctx, DEALS, "edit")
    check_writable_fields(ctx, DEALS, cmd.changes)
    changes = rules.clean_deal(cmd.changes)
    async with deps.uow() as uow:
        repo = DealRepository(uow.session, ctx)
        deal = await repo.get(cmd.deal_id, for_update=True)
        check_editable(ctx, deal, cmd.expected_version)
        if "owner_id" in changes:
            changes["owner_id"] = owner_for(ctx, changes["owner_id"])
        merged = {"name": deal.name, "amount": deal.amount, "currency": deal.currency, **changes}
        rules.validate_deal(changes, merged)
        account_id = changes.get("account_id")
        if account_id is not None and account_id != deal.account_id:
            await AccountRepository(uow.session, ctx).get_referenced(
                account_id, "account_id", for_share=True
            )
        from_stage, from_status = str(deal.stage_id), deal.status
        await _move(uow, ctx, deal, {n: changes.pop(n) for n in MOVE_FIELDS if n in changes})
        _assign(deal, changes, ctx)
        _record_update(
            uow,
            ctx,
            deal,
            changed=sorted(cmd.changes),
            from_stage=from_stage,
            from_status=from_status,
        )
        await commit(uow)
        _count_won(deal, from_status)
        return await visible(repo, deal)


async def _move(uow: UnitOfWork, ctx: AccessContext, deal: DealRow, moves: dict[str, Any]) -> None:
    pipeline_id = moves.get("pipeline_id", deal.pipeline_id)
    stage_id = moves.get("stage_id")
    if pipeline_id == deal.pipeline_id and stage_id in (None, deal.stage_id):
        deal_stages.stay(
            deal, probability=moves.get("probability"), lost_reason=moves.get("lost_reason")
        )
        return
    _, stage = await deal_stages.resolve(uow.session, deal.tenant_id, pipeline_id, stage_id)
    lost_reason = moves.get("lost_reason", deal.lost_reason)
    probability = moves.get("probability")
    uow.session.add(
        deal_stages.arrive(deal, stage, ctx, probability=probability, lost_reason=lost_reason)
    )


def _record_update(
    uow: UnitOfWork,
    ctx: AccessContext,
    deal: DealRow,
    *,
    changed: list[str],
    from_stage: str,
    from_status: str,
) -> None:
    if str(deal.stage_id) != from_stage:
        for moved in deal_events.stage_moved(deal, ctx, from_stage, from_status):
            uow.record(moved)
    if set(changed) - {"stage_id", "pipeline_id", "lost_reason"}:
        uow.record(deal_events.deal_changed(rules.DEAL_UPDATED, deal, ctx, changed))


async def delete_deal(
    deal_id: uuid.UUID, expected_version: int, ctx: AccessContext, deps: SalesDeps
) -> None:
    require(ctx, DEALS, "delete")
    async with deps.uow() as uow:
        repo = DealRepository(uow.session, ctx)
        deal = await repo.get(deal_id, for_update=True)
        check_editable(ctx, deal, expected_version)
        await soft_delete(uow.session, DealRow, repo.tenant_id, deal.id, actor(ctx))
        uow.record(deal_events.deal_changed(rules.DEAL_DELETED, deal, ctx))
        await commit(uow)


async def visible(repo: DealRepository, deal: DealRow) -> VisibleDeal:
    details = await repo.details([deal.id])
    return VisibleDeal(deal, details[deal.id], hidden_fields(repo.ctx, DEALS))


def _assign(deal: DealRow, values: dict[str, Any], ctx: AccessContext) -> None:
    for name, value in values.items():
        setattr(deal, name, value)
    deal.updated_by = actor(ctx)


def _count_won(deal: DealRow, from_status: str) -> None:
    if deal.status == rules.WON and from_status != rules.WON and deal.amount is not None:
        DEALS_WON_AMOUNT.labels(currency=deal.currency).inc(float(deal.amount))
