"""Pipelines against real PostgreSQL: the default one seeded once per tenant even
under concurrent first uses, administrators only, stage rules."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import AlreadyExists, FailedPrecondition, InvalidArgument, PermissionDenied
from sales.adapters.orm_deals import PipelineRow, StageRow
from sales.domain.deal_commands import CreateDeal, CreatePipeline, UpdatePipeline
from sales.domain.deals import StageSpec
from sales.service_layer import deals, pipelines
from sales.service_layer.deps import SalesDeps

ALL = frozenset({"view", "create", "edit", "delete"})


def ctx(tenant: str, *, admin: bool = True, actions: frozenset[str] = ALL) -> AccessContext:
    user = str(uuid.uuid4())
    return AccessContext(
        tenant_id=tenant,
        user_id=user,
        all_records=admin,
        permissions={"deals": actions, "accounts": actions, "contacts": actions},
        own_ids=frozenset({user}),
    )


def stages(*extra: StageSpec) -> list[StageSpec]:
    return [
        StageSpec("Open", 30),
        *extra,
        StageSpec("Won", 100, "won"),
        StageSpec("Lost", 0, "lost"),
    ]


async def test_default_pipeline_is_seeded_once_under_concurrency(deps: SalesDeps) -> None:
    tenant = str(uuid.uuid4())
    results = await asyncio.gather(
        *(pipelines.list_pipelines(ctx(tenant), deps) for _ in range(10))
    )
    assert {r[0].row.id for r in results} == {results[0][0].row.id}
    async with deps.uow() as uow:
        count = await uow.session.scalar(
            sa.select(sa.func.count()).where(PipelineRow.tenant_id == uuid.UUID(tenant))
        )
    assert count == 1
    default = results[0][0]
    assert default.row.is_default
    assert [(s.name, s.probability, s.kind) for s in default.stages] == [
        ("Prospecting", 10, "open"),
        ("Qualification", 20, "open"),
        ("Needs analysis", 40, "open"),
        ("Proposal", 60, "open"),
        ("Negotiation", 80, "open"),
        ("Closed won", 100, "won"),
        ("Closed lost", 0, "lost"),
    ]


async def test_concurrent_first_deals_share_one_default(deps: SalesDeps) -> None:
    tenant = str(uuid.uuid4())
    made = await asyncio.gather(
        *(
            deals.create_deal(CreateDeal({"name": f"D{i}", "currency": "EUR"}), ctx(tenant), deps)
            for i in range(10)
        )
    )
    assert len({d.row.pipeline_id for d in made}) == 1


async def test_only_administrators_change_pipelines(deps: SalesDeps) -> None:
    tenant = str(uuid.uuid4())
    with pytest.raises(PermissionDenied):
        await pipelines.create_pipeline(
            CreatePipeline("X", stages()), ctx(tenant, admin=False), deps
        )
    read_only = ctx(tenant, actions=frozenset({"view"}))
    with pytest.raises(PermissionDenied):
        await pipelines.create_pipeline(CreatePipeline("X", stages()), read_only, deps)
    assert await pipelines.list_pipelines(
        ctx(tenant, admin=False, actions=frozenset({"view"})), deps
    )


async def test_stage_rules_and_edits(deps: SalesDeps) -> None:
    tenant, admin = str(uuid.uuid4()), ctx(str(uuid.uuid4()))
    admin = ctx(tenant)
    with pytest.raises(InvalidArgument) as caught:
        await pipelines.create_pipeline(CreatePipeline("X", stages()[:2]), admin, deps)
    assert caught.value.violations[0].field == "stages"
    made = await pipelines.create_pipeline(CreatePipeline("Renewals", stages()), admin, deps)
    assert [s.kind for s in made.stages] == ["open", "won", "lost"] and not made.row.is_default
    with pytest.raises(AlreadyExists):
        await pipelines.create_pipeline(CreatePipeline("Renewals", stages()), admin, deps)
    open_, won, lost = made.stages
    deal = await deals.create_deal(
        CreateDeal({"name": "D", "currency": "EUR", "pipeline_id": made.row.id}), admin, deps
    )
    assert deal.row.stage_id == open_.id and deal.row.probability == 30
    # Reorder, rename, re-weight and add; the stage the deal is at cannot go.
    new = [
        StageSpec("Discovery", 5),
        StageSpec("Open renamed", 35, "open", open_.id),
        StageSpec("Won", 100, "won", won.id),
        StageSpec("Lost", 0, "lost", lost.id),
    ]
    changed = await pipelines.update_pipeline(
        UpdatePipeline(made.row.id, stages=new, make_default=True, expected_version=1), admin, deps
    )
    assert [(s.name, s.position) for s in changed.stages] == [
        ("Discovery", 0), ("Open renamed", 1), ("Won", 2), ("Lost", 3),
    ]  # fmt: skip
    assert changed.row.is_default and changed.row.version == 2
    listed = await pipelines.list_pipelines(admin, deps)
    assert [p.row.is_default for p in listed] == [True, False]
    without_open = [StageSpec("Other", 10), *new[2:]]
    with pytest.raises(FailedPrecondition):
        await pipelines.update_pipeline(
            UpdatePipeline(made.row.id, stages=without_open), admin, deps
        )
    async with deps.uow() as uow:
        kept = await uow.session.scalar(sa.select(StageRow).where(StageRow.id == open_.id))
    assert kept is not None and kept.name == "Open renamed"
