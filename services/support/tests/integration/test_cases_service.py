"""Case handlers against real PostgreSQL: numbers, the SLA clock from the matched
policy (due times, pauses, first response, resolution, next response),
transitions and reopening, comments, visibility, versions and assignment."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from case_fixtures import FakeIdentity, add_policy, admin, agent, events, with_identity

from crm_common.access import AccessContext
from crm_common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    VersionConflict,
)
from support.adapters.case_repository import CaseFilters
from support.adapters.orm_cases import CasePauseRow, CaseRow
from support.metrics import CASES_CREATED
from support.service_layer import cases, comments
from support.service_layer.cases import AssignCase, CreateCase, UpdateCase
from support.service_layer.comments import AddComment
from support.service_layer.deps import SupportDeps

AMS = ZoneInfo("Europe/Amsterdam")


async def new_case(
    deps: SupportDeps, ctx: AccessContext, *, priority: str = "P1", **values: object
) -> cases.VisibleCase:
    reported_at = values.pop("reported_at", None)
    assignment = str(values.pop("assignment", ""))
    cmd = CreateCase(
        {"subject": "Printer on fire", "priority": priority, **values},
        reported_at,  # type: ignore[arg-type]
        assignment,
    )
    return await cases.create_case(cmd, ctx, deps)


async def status(
    deps: SupportDeps, ctx: AccessContext, case_id: uuid.UUID, value: str
) -> cases.VisibleCase:
    return await cases.update_case(UpdateCase(case_id, {"status": value}), ctx, deps)


async def comment(deps: SupportDeps, ctx: AccessContext, case_id: uuid.UUID, **kw: object) -> None:
    await comments.add_comment(AddComment(case_id, "Hello", **kw), ctx, deps)  # type: ignore[arg-type]


async def shift_pauses(deps: SupportDeps, case_id: uuid.UUID, by: timedelta) -> None:
    """Pretend the case's open pause began ``by`` earlier."""
    async with deps.uow() as uow:
        await uow.session.execute(
            sa.update(CasePauseRow)
            .where(CasePauseRow.case_id == case_id, CasePauseRow.ended_at.is_(None))
            .values(started_at=CasePauseRow.started_at - by)
        )
        await uow.session.execute(
            sa.update(CaseRow)
            .where(CaseRow.id == case_id)
            .values(sla_paused_at=CaseRow.sla_paused_at - by)
        )
        await uow.commit()


async def test_numbers_are_per_tenant_and_year_and_gapless(support_deps: SupportDeps) -> None:
    ctx = admin()
    made = await asyncio.gather(*(new_case(support_deps, ctx) for _ in range(8)))
    year = datetime.now(UTC).year
    assert sorted(c.row.number for c in made) == [f"CS-{year}-{i:06d}" for i in range(1, 9)]
    other = await new_case(support_deps, admin())
    assert other.row.number == f"CS-{year}-000001"
    assert other.row.version == 1  # one INSERT, no UPDATE behind it


async def test_a_p1_reported_friday_1630_is_due_monday_1030(support_deps: SupportDeps) -> None:
    ctx = admin()
    await add_policy(support_deps, ctx.tenant_id, resolution_minutes=120, first_response_minutes=60)
    before = CASES_CREATED.labels(priority="P1")._value.get()
    friday = datetime(2026, 3, 6, 16, 30, tzinfo=AMS)
    case = await new_case(support_deps, ctx, reported_at=friday)
    row = case.row
    assert row.resolution_due_at == datetime(2026, 3, 9, 10, 30, tzinfo=AMS)
    assert row.first_response_due_at == datetime(2026, 3, 9, 9, 30, tzinfo=AMS)
    assert row.sla_policy_id is not None
    assert row.owner_id == uuid.UUID(ctx.user_id)
    assert CASES_CREATED.labels(priority="P1")._value.get() == before + 1
    created = await events(support_deps, ctx.tenant_id, "crm.support.case.created")
    assert [e.number for e in created] == [row.number]


async def test_reported_at_in_the_future_is_refused(support_deps: SupportDeps) -> None:
    with pytest.raises(InvalidArgument) as caught:
        await new_case(support_deps, admin(), reported_at=datetime.now(UTC) + timedelta(hours=2))
    assert caught.value.violations[0].field == "reported_at"


async def test_waiting_on_customer_pauses_and_resuming_moves_due_times(
    support_deps: SupportDeps,
) -> None:
    ctx = admin()
    await add_policy(support_deps, ctx.tenant_id, always_open=True, resolution_minutes=600)
    case = await new_case(support_deps, ctx, reported_at=datetime.now(UTC) - timedelta(hours=1))
    due = case.row.resolution_due_at
    assert due is not None
    paused = await status(support_deps, ctx, case.row.id, "waiting_on_customer")
    assert paused.row.sla_status == "paused"
    assert paused.row.sla_paused_at is not None
    await shift_pauses(support_deps, case.row.id, timedelta(minutes=30))
    resumed = await status(support_deps, ctx, case.row.id, "open")
    assert resumed.row.sla_status == "on_track"
    assert resumed.row.sla_paused_at is None
    moved = resumed.row.resolution_due_at - due  # type: ignore[operator]
    assert timedelta(minutes=30) <= moved < timedelta(minutes=31)


async def test_first_public_agent_reply_fulfils_first_response(support_deps: SupportDeps) -> None:
    ctx = admin()
    await add_policy(
        support_deps, ctx.tenant_id, always_open=True, first_response_minutes=60,
        next_response_minutes=30, resolution_minutes=600,
    )  # fmt: skip
    case = await new_case(support_deps, ctx, reported_at=datetime.now(UTC) - timedelta(minutes=20))
    await comment(support_deps, ctx, case.row.id, public=False)  # internal: nothing
    assert (await cases.get_case(case.row.id, ctx, support_deps)).row.first_responded_at is None
    await comment(support_deps, ctx, case.row.id, public=True, from_customer=True)  # not an agent
    await comment(support_deps, ctx, case.row.id, public=True, mentioned_user_ids=[ctx.user_id])
    row = (await cases.get_case(case.row.id, ctx, support_deps)).row
    assert row.first_responded_at is not None
    assert row.first_response_minutes in (20, 21)
    assert not row.first_response_breached
    assert row.next_response_due_at is None
    # the customer writes back: a next-response cycle; the next agent reply ends it
    await status(support_deps, ctx, row.id, "waiting_on_customer")
    await comment(support_deps, ctx, row.id, public=True, from_customer=True)
    row = (await cases.get_case(row.id, ctx, support_deps)).row
    assert row.status == "open"  # the customer's reply resumed the case
    assert row.awaiting_reply_since is not None
    assert row.next_response_due_at is not None
    await comment(support_deps, ctx, row.id, public=True)
    row = (await cases.get_case(row.id, ctx, support_deps)).row
    assert row.awaiting_reply_since is None and row.next_response_due_at is None
    said = await events(support_deps, ctx.tenant_id, "crm.support.case.commented")
    assert len(said) == 5
    assert [list(e.mentioned_user_ids) for e in said][2] == [ctx.user_id]
    listed = await comments.list_comments(row.id, ctx, support_deps, limit=50, cursor=None)
    assert len(listed.items) == 5
    viewer = AccessContext(
        tenant_id=ctx.tenant_id, all_records=True, permissions={"cases": frozenset({"view"})}
    )
    public = await comments.list_comments(row.id, viewer, support_deps, limit=50, cursor=None)
    assert len(public.items) == 4  # the internal one is for agents


async def test_resolve_reopen_and_the_reopen_window(support_deps: SupportDeps) -> None:
    ctx = admin()
    await add_policy(support_deps, ctx.tenant_id, always_open=True, resolution_minutes=600)
    case = await new_case(support_deps, ctx, reported_at=datetime.now(UTC) - timedelta(minutes=45))
    resolved = await cases.set_status(case.row.id, 0, "resolved", ctx, support_deps)
    assert resolved.row.sla_status == "fulfilled"
    assert resolved.row.resolution_minutes in (45, 46)
    assert resolved.row.resolved_at is not None
    with pytest.raises(FailedPrecondition):
        await status(support_deps, ctx, case.row.id, "waiting_on_customer")
    reopened = await cases.set_status(case.row.id, 0, "open", ctx, support_deps)
    assert reopened.row.status == "open" and reopened.row.resolved_at is None
    assert reopened.row.resolution_minutes is None
    closed = await cases.set_status(case.row.id, 0, "closed", ctx, support_deps)
    assert closed.row.closed_at is not None
    async with support_deps.uow() as uow:  # closed 8 days ago
        await uow.session.execute(
            sa.update(CaseRow)
            .where(CaseRow.id == case.row.id)
            .values(closed_at=CaseRow.closed_at - timedelta(days=8))
        )
        await uow.commit()
    with pytest.raises(FailedPrecondition, match="7 days"):
        await cases.set_status(case.row.id, 0, "open", ctx, support_deps)
    kinds = {
        s: len(await events(support_deps, ctx.tenant_id, f"crm.support.case.{s}"))
        for s in ("status_changed", "resolved")
    }
    assert kinds == {"status_changed": 3, "resolved": 1}


async def test_reopen_needs_a_done_case(support_deps: SupportDeps) -> None:
    ctx = admin()
    case = await new_case(support_deps, ctx)
    with pytest.raises(FailedPrecondition):
        await cases.set_status(case.row.id, 0, "open", ctx, support_deps)


async def test_visibility_edit_rights_and_versions(support_deps: SupportDeps) -> None:
    ctx = admin()
    mine = agent(ctx.tenant_id)
    theirs = await new_case(support_deps, ctx)
    own = await new_case(support_deps, mine)
    with pytest.raises(NotFound):
        await cases.get_case(theirs.row.id, mine, support_deps)
    page = await cases.list_cases(mine, support_deps, CaseFilters(), limit=50, cursor=None)
    assert [c.row.id for c in page.items] == [own.row.id]
    with pytest.raises(PermissionDenied):
        await cases.update_case(
            UpdateCase(own.row.id, {"owner_id": uuid.UUID(ctx.user_id)}), mine, support_deps
        )
    with pytest.raises(PermissionDenied):
        await cases.delete_case(own.row.id, 0, mine, support_deps)
    changed = await cases.update_case(
        UpdateCase(own.row.id, {"subject": "Paper jam"}, own.row.version), mine, support_deps
    )
    with pytest.raises(VersionConflict):
        await cases.update_case(
            UpdateCase(own.row.id, {"subject": "x"}, own.row.version), mine, support_deps
        )
    assert changed.row.subject == "Paper jam"
    with pytest.raises(NotFound):
        await cases.get_case(own.row.id, admin(), support_deps)  # another tenant
    await cases.delete_case(own.row.id, 0, ctx, support_deps)
    with pytest.raises(NotFound):
        await cases.get_case(own.row.id, ctx, support_deps)


async def test_filters(support_deps: SupportDeps) -> None:
    ctx = admin()
    p2 = await new_case(support_deps, ctx, priority="P2")
    await new_case(support_deps, ctx, priority="P3", status="open")
    found = await cases.list_cases(
        ctx, support_deps, CaseFilters(priority="P2", status="new"), limit=50, cursor=None
    )
    assert [c.row.id for c in found.items] == [p2.row.id]


async def test_round_robin_over_a_group_takes_turns_under_concurrency(
    support_deps: SupportDeps,
) -> None:
    ctx = admin()
    identity = FakeIdentity()
    group = uuid.uuid4()
    users = sorted(uuid.uuid4() for _ in range(3))
    identity.groups[str(group)] = users
    deps = with_identity(support_deps, identity)
    made = await asyncio.gather(
        *(new_case(deps, ctx, group_id=group, assignment="round_robin") for _ in range(9))
    )
    assert Counter(c.row.owner_id for c in made) == {u: 3 for u in users}
    assigned = await events(deps, ctx.tenant_id, "crm.support.case.assigned")
    assert len(assigned) == 9


async def test_least_loaded_and_assign(support_deps: SupportDeps) -> None:
    ctx = admin()
    identity = FakeIdentity()
    group = uuid.uuid4()
    busy, idle = sorted(uuid.uuid4() for _ in range(2))
    identity.groups[str(group)] = [busy, idle]
    deps = with_identity(support_deps, identity)
    await new_case(deps, ctx, owner_id=busy)
    await new_case(deps, ctx, owner_id=busy)
    first = await new_case(deps, ctx, group_id=group, assignment="least_loaded")
    assert first.row.owner_id == idle
    again = await cases.assign_case(
        AssignCase(first.row.id, group_id=group, assignment="least_loaded"), ctx, deps
    )
    assert again.row.owner_id == idle  # busy has 2 open cases, idle this one
    queued = await cases.assign_case(AssignCase(first.row.id, group_id=group), ctx, deps)
    assert queued.row.owner_id is None and queued.row.group_id == group
    with pytest.raises(InvalidArgument) as caught:
        await new_case(deps, ctx, group_id=uuid.uuid4(), assignment="round_robin")
    assert caught.value.violations[0].field == "group_id"
    queue = await new_case(deps, ctx, group_id=group)
    assert queue.row.owner_id is None
