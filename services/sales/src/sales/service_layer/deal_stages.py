"""Where a deal stands: resolving its pipeline and stage, and what arriving at a
stage does (close as won/lost, reopen, stage history)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.access import AccessContext
from crm_common.db import utcnow
from crm_common.errors import InvalidArgument
from sales.adapters.deal_repository import PipelineRepository
from sales.adapters.orm_deals import DealRow, DealStageHistoryRow, PipelineRow, StageRow
from sales.domain import deals as rules
from sales.service_layer.ownership import actor
from sales.service_layer.pipelines import default_pipeline


async def resolve(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    pipeline_id: uuid.UUID | None,
    stage_id: uuid.UUID | None,
) -> tuple[PipelineRow, StageRow]:
    """The pipeline (the default one when None) and the stage (its first open one
    when None); a stage of another pipeline is refused naming stage_id."""
    repo = PipelineRepository(session, tenant_id)
    if pipeline_id is None:
        pipeline = await default_pipeline(session, tenant_id)
    else:
        pipeline = await repo.get_referenced(pipeline_id)
    stages = (await repo.stages([pipeline.id]))[pipeline.id]
    if stage_id is None:
        return pipeline, next(s for s in stages if s.kind == rules.OPEN)
    stage = next((s for s in stages if s.id == stage_id), None)
    if stage is None:
        raise InvalidArgument.for_field("stage_id", "no such stage in the deal's pipeline")
    return pipeline, stage


def arrive(
    deal: DealRow, stage: StageRow, ctx: AccessContext, *, probability: int | None, lost_reason: str
) -> DealStageHistoryRow:
    """Put the deal at ``stage``: won/lost close it (probability 100/0, closed_at,
    lost needs a reason), an open stage (re)opens it. Returns the history row."""
    outcome = rules.stage_outcome(stage.kind, stage.probability, probability)
    rules.require_lost_reason(outcome.status, lost_reason)
    history = DealStageHistoryRow(
        id=uuid.uuid4(),
        tenant_id=deal.tenant_id,
        deal_id=deal.id,
        from_stage_id=deal.stage_id,
        to_stage_id=stage.id,
        changed_at=utcnow(),
        changed_by=actor(ctx),
    )
    if outcome.status != deal.status:  # a new deal has no status yet
        deal.closed_at = utcnow() if outcome.closes else None
    deal.pipeline_id, deal.stage_id = stage.pipeline_id, stage.id
    deal.status, deal.probability = outcome.status, outcome.probability
    deal.lost_reason = lost_reason if outcome.status == rules.LOST else ""
    return history


def stay(deal: DealRow, *, probability: int | None, lost_reason: str | None) -> None:
    """Changes of probability or lost reason without a stage move."""
    if probability is not None and probability != deal.probability:
        if deal.status != rules.OPEN:
            raise InvalidArgument.for_field(
                "probability", f"a {deal.status} deal has probability {deal.probability}"
            )
        deal.probability = probability
    if lost_reason is not None:
        if deal.status != rules.LOST and lost_reason:
            raise InvalidArgument.for_field("lost_reason", "only a lost deal has a lost reason")
        rules.require_lost_reason(deal.status, lost_reason)
        deal.lost_reason = lost_reason
