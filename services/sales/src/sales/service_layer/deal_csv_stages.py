"""Pipelines and stages by name, for deals CSV: the import places each row at a
stage, the export names the deal's pipeline and stage. Names compare
case-insensitively (they are unique per tenant, and per pipeline)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from crm_common.csv_io import RowError
from crm_common.errors import CrmError, InvalidArgument
from sales.adapters.deal_repository import PipelineRepository
from sales.adapters.orm_deals import PipelineRow, StageRow
from sales.domain import deals as rules
from sales.service_layer import csv_import
from sales.service_layer.csv_relations import PendingRow
from sales.service_layer.pipelines import default_pipeline


async def names(session: AsyncSession, tenant_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """Every pipeline's and stage's name by id (a tenant has a handful)."""
    repo = PipelineRepository(session, tenant_id)
    pipelines = await repo.all()
    stages = await repo.stages([p.id for p in pipelines])
    found = {p.id: p.name for p in pipelines}
    found.update({s.id: s.name for group in stages.values() for s in group})
    return found


@dataclass
class StageFinder:
    session: AsyncSession
    tenant_id: uuid.UUID
    pipelines: dict[str, PipelineRow] = field(default_factory=dict)
    stages: dict[uuid.UUID, list[StageRow]] = field(default_factory=dict)
    default: PipelineRow | None = None

    @classmethod
    async def load(cls, session: AsyncSession, tenant_id: uuid.UUID) -> StageFinder:
        repo = PipelineRepository(session, tenant_id)
        pipelines = await repo.all()
        stages = await repo.stages([p.id for p in pipelines])
        return cls(session, tenant_id, {p.name.lower(): p for p in pipelines}, stages)

    async def place(self, rows: list[PendingRow]) -> list[RowError]:
        """Set each row's stage (checking what arriving there asks of the deal)."""
        errors: list[RowError] = []
        for row in rows:
            try:
                row.stage = await self._stage(row.refs.get("pipeline"), row.refs.get("stage"))
                outcome = rules.stage_outcome(
                    row.stage.kind, row.stage.probability, row.values.get("probability")
                )
                rules.require_lost_reason(outcome.status, row.values.get("lost_reason") or "")
            except CrmError as exc:
                errors += csv_import.row_errors(row.number, exc)
        return errors

    async def _stage(self, pipeline_name: str | None, stage_name: str | None) -> StageRow:
        pipeline = await self._pipeline(pipeline_name)
        stages = self.stages[pipeline.id]
        if not stage_name:
            return next(s for s in stages if s.kind == rules.OPEN)
        stage = next((s for s in stages if s.name.lower() == stage_name.strip().lower()), None)
        if stage is None:
            raise InvalidArgument.for_field("stage", f"no such stage in {pipeline.name}")
        return stage

    async def _pipeline(self, name: str | None) -> PipelineRow:
        if name:
            found = self.pipelines.get(name.strip().lower())
            if found is None:
                raise InvalidArgument.for_field("pipeline", "no such pipeline")
            return found
        if self.default is None:  # seeded in this transaction if the tenant has none
            self.default = await default_pipeline(self.session, self.tenant_id)
            if self.default.id not in self.stages:
                repo = PipelineRepository(self.session, self.tenant_id)
                self.stages.update(await repo.stages([self.default.id]))
        return self.default
