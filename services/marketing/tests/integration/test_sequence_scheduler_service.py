"""The sequence scheduler against real PostgreSQL: two schedulers running at the
same time (two replicas) and a restart queue each due step exactly once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from marketing.adapters.orm import EnrollmentRow, ProspectRow, SendRow
from marketing.domain.rendering import Variant
from marketing.service_layer import sequences, templates
from marketing.service_layer.deps import MarketingDeps

pytestmark = pytest.mark.asyncio(loop_scope="session")
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def admin(tenant_id: uuid.UUID) -> AccessContext:
    return AccessContext(
        tenant_id=str(tenant_id), user_id=str(uuid.uuid4()), all_records=True,
        permissions={"*": frozenset({"*"})},
    )  # fmt: skip


async def _prospects(deps: MarketingDeps, tenant_id: uuid.UUID, count: int) -> list[uuid.UUID]:
    ids = [uuid.uuid4() for _ in range(count)]
    async with deps.uow() as uow:
        for i, pid in enumerate(ids):
            uow.session.add(ProspectRow(
                tenant_id=tenant_id, id=pid, kind="lead", email=f"p{i}-{pid.hex[:6]}@x.example",
                synced_at=START, created_at=START,
            ))  # fmt: skip
        await uow.commit()
    return ids


async def test_two_schedulers_queue_each_step_once(marketing_deps: MarketingDeps) -> None:
    tenant_id = uuid.uuid4()
    ctx = admin(tenant_id)
    deps = MarketingDeps(settings=marketing_deps.settings, uow=marketing_deps.uow,
                         now=lambda: START)  # fmt: skip
    template = await templates.create_template(
        templates.TemplateInput("T", "en", (Variant("en", "Hi", "<p>x</p>", "x"),)), ctx, deps
    )
    steps = (sequences.Step(0, template.id), sequences.Step(2, template.id),
             sequences.Step(1, template.id))  # fmt: skip
    seq = await sequences.create_sequence(
        sequences.SequenceInput("Drip", None, "business_days", steps), ctx, deps
    )
    people = await _prospects(deps, tenant_id, 30)
    enrolled = await sequences.enroll(seq.id, people, [], ctx, deps)
    assert len(enrolled.enrolled) == 30

    async def both(at: datetime) -> int:
        counts = await asyncio.gather(
            sequences.run_due_steps(deps, at, batch=7), sequences.run_due_steps(deps, at, batch=7)
        )
        return sum(counts)

    assert await both(START) == 30  # step 1 (no delay), split between the two
    assert await both(START) == 0  # a restart at the same time: nothing again
    assert await both(START + timedelta(days=1)) == 0  # step 2 waits 2 business days
    assert await both(START + timedelta(days=2)) == 30  # Wednesday: step 2
    assert await both(START + timedelta(days=3)) == 30  # Thursday: step 3
    assert await both(START + timedelta(days=30)) == 0  # completed
    async with deps.uow() as uow:
        keys = (
            await uow.session.execute(
                sa.select(SendRow.enrollment_id, SendRow.step, sa.func.count())
                .where(SendRow.tenant_id == tenant_id)
                .group_by(SendRow.enrollment_id, SendRow.step)
            )
        ).all()
        done = await uow.session.scalars(
            sa.select(EnrollmentRow.status).where(EnrollmentRow.tenant_id == tenant_id)
        )
        assert set(done) == {"completed"}
    assert len(keys) == 90 and all(count == 1 for _, _, count in keys)
