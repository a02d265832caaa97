"""The SLA scheduler against real PostgreSQL: warnings, breaches and escalation
levels are recorded exactly once per case and target, also with two scheduler
loops running at once and across restarts; paused and resolved cases wait."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from case_fixtures import FakeIdentity, add_policy, admin, events, with_identity

from support.metrics import SLA_BREACHES
from support.service_layer import cases, sla_scheduler
from support.service_layer.cases import CreateCase, UpdateCase
from support.service_layer.deps import SupportDeps

ROUNDS = 5


async def two_schedulers(deps: SupportDeps, rounds: int = ROUNDS) -> None:
    """Two replicas' runs side by side, a few times (as two loops would)."""
    for _ in range(rounds):
        await asyncio.gather(sla_scheduler.run_once(deps), sla_scheduler.run_once(deps))


async def test_warning_and_breach_once_per_target_with_two_schedulers(
    support_deps: SupportDeps,
) -> None:
    ctx = admin()
    await add_policy(
        support_deps, ctx.tenant_id, always_open=True, first_response_minutes=2,
        resolution_minutes=3, warning_percent=50,
    )  # fmt: skip
    breaches = SLA_BREACHES.labels(target="resolution")._value.get()
    reported = datetime.now(UTC) - timedelta(minutes=4)
    cmd = CreateCase({"subject": "Down", "priority": "P1"}, reported)
    case = await cases.create_case(cmd, ctx, support_deps)
    await two_schedulers(support_deps)
    warned = await events(support_deps, ctx.tenant_id, "crm.support.sla.warning")
    breached = await events(support_deps, ctx.tenant_id, "crm.support.sla.breached")
    assert sorted(e.target for e in warned) == ["first_response", "resolution"]
    assert sorted(e.target for e in breached) == ["first_response", "resolution"]
    assert {e.case_id for e in warned + breached} == {str(case.row.id)}
    # (the scheduler serves every tenant: other tests' cases may breach too)
    assert SLA_BREACHES.labels(target="resolution")._value.get() >= breaches + 1
    row = (await cases.get_case(case.row.id, ctx, support_deps)).row
    assert row.sla_status == "breached"
    assert row.first_response_breached and row.resolution_breached
    await two_schedulers(support_deps, 2)  # a restart finds nothing new
    assert len(await events(support_deps, ctx.tenant_id, "crm.support.sla.breached")) == 2


async def test_only_the_warning_when_the_target_is_not_yet_due(support_deps: SupportDeps) -> None:
    ctx = admin()
    await add_policy(
        support_deps, ctx.tenant_id, always_open=True, resolution_minutes=60, warning_percent=50
    )
    reported = datetime.now(UTC) - timedelta(minutes=40)
    case = await cases.create_case(
        CreateCase({"subject": "Slow", "priority": "P2"}, reported), ctx, support_deps
    )
    await two_schedulers(support_deps, 2)
    assert len(await events(support_deps, ctx.tenant_id, "crm.support.sla.warning")) == 1
    assert await events(support_deps, ctx.tenant_id, "crm.support.sla.breached") == []
    row = (await cases.get_case(case.row.id, ctx, support_deps)).row
    assert row.sla_status == "warning"


async def test_paused_and_resolved_cases_wait(support_deps: SupportDeps) -> None:
    ctx = admin()
    await add_policy(support_deps, ctx.tenant_id, always_open=True, resolution_minutes=60)
    reported = datetime.now(UTC) - timedelta(minutes=30)
    paused = await cases.create_case(
        CreateCase({"subject": "A", "priority": "P3", "status": "waiting_on_customer"}, reported),
        ctx,
        support_deps,
    )
    done = await cases.create_case(
        CreateCase({"subject": "B", "priority": "P3"}, reported), ctx, support_deps
    )
    await cases.update_case(UpdateCase(done.row.id, {"status": "resolved"}), ctx, support_deps)
    async with support_deps.uow() as uow:  # both would be long overdue
        for case_id in (paused.row.id, done.row.id):
            row = await uow.session.get(sla_scheduler.CaseRow, case_id)
            assert row is not None
            row.resolution_due_at = row.resolution_warn_at = reported
        await uow.commit()
    await two_schedulers(support_deps, 2)
    assert await events(support_deps, ctx.tenant_id, "crm.support.sla.breached") == []


async def test_escalation_levels_reassign_and_name_the_manager_once(
    support_deps: SupportDeps,
) -> None:
    ctx = admin()
    identity = FakeIdentity()
    deps = with_identity(support_deps, identity)
    level_one, level_two = uuid.uuid4(), uuid.uuid4()
    agents = sorted(uuid.uuid4() for _ in range(2))
    identity.groups[str(level_one)] = agents
    identity.groups[str(level_two)] = []  # nobody: the case waits in its queue
    owner, manager = uuid.UUID(ctx.user_id), uuid.uuid4()
    identity.roles = [("lead", ""), ("agent", "lead")]
    identity.users = [(owner, "agent"), (manager, "lead")]
    escalations = [
        {"level": 1, "after_minutes": 1, "group_id": str(level_one), "notify_manager": True},
        {"level": 2, "after_minutes": 2, "group_id": str(level_two), "notify_manager": False},
        {"level": 3, "after_minutes": 600, "group_id": None, "notify_manager": True},
    ]
    await add_policy(
        deps, ctx.tenant_id, always_open=True, resolution_minutes=2, escalations=escalations
    )
    reported = datetime.now(UTC) - timedelta(minutes=10)
    case = await cases.create_case(
        CreateCase({"subject": "Escalate me", "priority": "P1"}, reported), ctx, deps
    )
    assert case.row.owner_id == owner
    await two_schedulers(deps)
    escalated = await events(deps, ctx.tenant_id, "crm.support.sla.escalated")
    assert [(e.escalation_level, e.escalation_group_id) for e in escalated] == [
        (1, str(level_one)),
        (2, str(level_two)),
    ]
    assert escalated[0].manager_id == str(manager)  # of the owner who let it slip
    assert escalated[0].owner_id == str(agents[0])  # round robin over level one's group
    assert escalated[1].manager_id == ""
    row = (await cases.get_case(case.row.id, ctx, deps)).row
    assert row.escalation_level == 2
    assert row.group_id == level_two and row.owner_id is None
    assert row.next_escalation_at is not None  # level 3 is 10 hours away
    assert {p.kind for p in identity.principals} == {"service"}
    assert {p.tenant_id for p in identity.principals} == {ctx.tenant_id}
