"""Pipelines and their stages: the default one seeded per tenant on first use,
list and read (deals:view), create and change (administrators: all records and
deals:edit). A stage that deals are at cannot be removed or change its kind.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext, require
from crm_common.db import UnitOfWork, utcnow
from crm_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    PermissionDenied,
    VersionConflict,
)
from sales.adapters.deal_repository import PipelineRepository
from sales.adapters.orm_deals import PipelineRow, StageRow
from sales.domain import deals as rules
from sales.domain.deal_commands import CreatePipeline, UpdatePipeline
from sales.domain.deals import DEALS, StageSpec
from sales.service_layer.deal_units import commit, tenant_of
from sales.service_layer.deps import SalesDeps
from sales.service_layer.ownership import actor


@dataclass(frozen=True)
class PipelineView:
    row: PipelineRow
    stages: list[StageRow]


async def default_pipeline(session: AsyncSession, tenant_id: uuid.UUID) -> PipelineRow:
    """The tenant's default pipeline, seeded in the caller's transaction when the
    tenant has none yet. Concurrent first uses queue on an advisory lock, and the
    second finds the first one's committed pipeline (a unique index backs it up)."""
    repo = PipelineRepository(session, tenant_id)
    found = await repo.default()
    if found is None:
        await repo.lock_defaults()
        found = await repo.default() or await _seed(session, tenant_id)
    return found


async def _seed(session: AsyncSession, tenant_id: uuid.UUID) -> PipelineRow:
    pipeline = PipelineRow(
        id=uuid.uuid4(), tenant_id=tenant_id, name=rules.DEFAULT_PIPELINE_NAME, is_default=True
    )
    session.add(pipeline)
    specs = [StageSpec(name, probability, kind) for name, probability, kind in rules.DEFAULT_STAGES]
    _add_stages(session, pipeline, specs)
    await session.flush()
    return pipeline


def _add_stages(session: AsyncSession, pipeline: PipelineRow, specs: Sequence[StageSpec]) -> None:
    for position, spec in enumerate(specs):
        session.add(_stage_row(pipeline, spec, position))


def _stage_row(pipeline: PipelineRow, spec: StageSpec, position: int) -> StageRow:
    return StageRow(
        id=uuid.uuid4(), tenant_id=pipeline.tenant_id, pipeline_id=pipeline.id, name=spec.name,
        position=position, probability=spec.probability, kind=spec.kind,
    )  # fmt: skip


async def view(session: AsyncSession, pipeline: PipelineRow) -> PipelineView:
    stages = await PipelineRepository(session, pipeline.tenant_id).stages([pipeline.id])
    return PipelineView(pipeline, stages[pipeline.id])


async def list_pipelines(ctx: AccessContext, deps: SalesDeps) -> list[PipelineView]:
    require(ctx, DEALS, "view")
    async with deps.uow() as uow:
        await default_pipeline(uow.session, tenant_of(ctx))
        repo = PipelineRepository(uow.session, tenant_of(ctx))
        pipelines = await repo.all()
        stages = await repo.stages([p.id for p in pipelines])
        await uow.commit()  # keeps a pipeline seeded just now
    return [PipelineView(p, stages[p.id]) for p in pipelines]


async def get_pipeline(pipeline_id: uuid.UUID, ctx: AccessContext, deps: SalesDeps) -> PipelineView:
    require(ctx, DEALS, "view")
    async with deps.uow() as uow:
        pipeline = await PipelineRepository(uow.session, tenant_of(ctx)).get(pipeline_id)
        return await view(uow.session, pipeline)


def _require_admin(ctx: AccessContext) -> None:
    require(ctx, DEALS, "edit")
    if not ctx.all_records:
        raise PermissionDenied("only administrators change pipelines")


async def create_pipeline(cmd: CreatePipeline, ctx: AccessContext, deps: SalesDeps) -> PipelineView:
    _require_admin(ctx)
    name, stages = cmd.name.strip(), rules.normalized_stages(cmd.stages)
    rules.validate_pipeline(name, stages)
    if any(s.id is not None for s in stages):
        raise InvalidArgument.for_field("stages", "new stages have no id")
    async with deps.uow() as uow:
        repo = PipelineRepository(uow.session, tenant_of(ctx))
        await default_pipeline(uow.session, repo.tenant_id)
        await _check_name(repo, name)
        pipeline = PipelineRow(id=uuid.uuid4(), tenant_id=repo.tenant_id, name=name)
        pipeline.created_by = pipeline.updated_by = actor(ctx)
        if cmd.is_default:
            await _take_default(uow, repo)
        pipeline.is_default = cmd.is_default
        uow.session.add(pipeline)
        _add_stages(uow.session, pipeline, stages)
        await uow.commit()
        return await view(uow.session, pipeline)


async def update_pipeline(cmd: UpdatePipeline, ctx: AccessContext, deps: SalesDeps) -> PipelineView:
    _require_admin(ctx)
    name = cmd.name.strip() if cmd.name is not None else None
    stages = rules.normalized_stages(cmd.stages) if cmd.stages is not None else None
    rules.validate_pipeline(name, stages)
    async with deps.uow() as uow:
        repo = PipelineRepository(uow.session, tenant_of(ctx))
        if cmd.make_default:
            await repo.lock_defaults()
        pipeline = await repo.get(cmd.pipeline_id, for_update=True)
        if cmd.expected_version and cmd.expected_version != pipeline.version:
            raise VersionConflict(f"pipeline is at version {pipeline.version}")
        if name is not None and name != pipeline.name:
            await _check_name(repo, name, pipeline.id)
            pipeline.name = name
        if stages is not None:
            await _replace_stages(uow, repo, pipeline, stages)
        if cmd.make_default and not pipeline.is_default:
            await _take_default(uow, repo)
            pipeline.is_default = True
        pipeline.updated_by, pipeline.updated_at = actor(ctx), utcnow()  # bumps the version
        await commit(uow)
        return await view(uow.session, pipeline)


async def _check_name(repo: PipelineRepository, name: str, but: uuid.UUID | None = None) -> None:
    if await repo.name_taken(name, but):
        raise AlreadyExists("a pipeline with this name exists", field="name")


async def _take_default(uow: UnitOfWork, repo: PipelineRepository) -> None:
    """The current default stops being it first (one default per tenant, indexed)."""
    await repo.lock_defaults()
    current = await repo.default()
    if current is not None:
        current.is_default = False
        await uow.session.flush()


async def _replace_stages(
    uow: UnitOfWork, repo: PipelineRepository, pipeline: PipelineRow, specs: Sequence[StageSpec]
) -> None:
    existing = {s.id: s for s in (await repo.stages([pipeline.id]))[pipeline.id]}
    if any(spec.id is not None and spec.id not in existing for spec in specs):
        raise InvalidArgument.for_field("stages", "a stage id is not of this pipeline")
    kept = {spec.id: spec for spec in specs if spec.id is not None}
    changed_kind = [i for i, spec in kept.items() if spec.kind != existing[i].kind]
    removed = [i for i in existing if i not in kept]
    if await repo.stages_with_deals(removed + changed_kind):
        raise FailedPrecondition("deals are at a stage you remove or change the kind of")
    for stage_id in removed:
        await uow.session.delete(existing[stage_id])
    for position, spec in enumerate(specs):
        if spec.id is None:
            uow.session.add(_stage_row(pipeline, spec, position))
            continue
        stage = existing[spec.id]
        stage.name, stage.position = spec.name, position
        stage.probability, stage.kind = spec.probability, spec.kind
