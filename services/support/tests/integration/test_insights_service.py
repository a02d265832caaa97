"""Help-desk insights against real PostgreSQL: rows are put into the cases
table directly and every figure is compared with a table computed by hand
(backlog, SLA compliance, percentile_cont medians and p90s), in total, per
group and per agent; then the group filter, visibility and tenancy."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from support_case_rows import cases_table_exists, insert_cases

from crm_common.access import AccessContext
from crm_common.errors import InvalidArgument, PermissionDenied
from support.adapters.insights_queries import Bucket
from support.domain.insights import Compliance, Durations
from support.service_layer import insights
from support.service_layer.deps import SupportDeps
from support.service_layer.insights import InsightsRequest

NOW = datetime(2026, 2, 25, tzinfo=UTC)  # inside the window: one target is still pending
WINDOW = InsightsRequest("2026-02-01", "2026-03-01")


def at(day: int, hour: int = 10, month: int = 2) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def admin(tenant: str) -> AccessContext:
    return AccessContext(
        tenant_id=tenant, user_id=str(uuid.uuid4()), all_records=True,
        permissions={"*": frozenset({"*"})},
    )  # fmt: skip


def viewer(tenant: str, *own: uuid.UUID) -> AccessContext:
    return AccessContext(
        tenant_id=tenant, user_id=str(own[0]) if own else str(uuid.uuid4()),
        permissions={"cases": frozenset({"view"})}, own_ids=frozenset(str(o) for o in own),
    )  # fmt: skip


@pytest.fixture
async def desk(support_deps: SupportDeps) -> dict[str, Any]:
    """The hand-computed data set (see each case's comment)."""
    if not await cases_table_exists(support_deps):
        pytest.skip("the cases table (migration 0003) is not there yet")
    tenant = uuid.uuid4()
    g1, g2, a1, a2, a3 = (uuid.uuid4() for _ in range(5))

    def case(status: str, priority: str, owner: uuid.UUID | None, group: uuid.UUID,
             **times: Any) -> dict[str, Any]:  # fmt: skip
        return {"tenant_id": tenant, "status": status, "priority": priority, "owner_id": owner,
                "group_id": group, **times}  # fmt: skip

    rows = [
        # c1: FR met (30), resolution met (100)
        case("resolved", "P1", a1, g1, first_response_due_at=at(2), first_responded_at=at(2, 9),
             first_response_minutes=30, resolution_due_at=at(3), resolved_at=at(3, 9),
             resolution_minutes=100),
        # c2: FR breached (flagged, 90), resolution met (200)
        case("resolved", "P2", a1, g1, first_response_due_at=at(5), first_responded_at=at(5, 11),
             first_response_breached=True, first_response_minutes=90,
             resolution_due_at=at(6), resolved_at=at(6, 9), resolution_minutes=200),
        # c3: FR met (10); resolution overdue and unresolved: breached
        case("open", "P1", a2, g1, first_response_due_at=at(10), first_responded_at=at(10, 9),
             first_response_minutes=10, resolution_due_at=at(11)),
        # c4: FR met (50); resolved after its due time: breached (400)
        case("closed", "P3", a2, g2, first_response_due_at=at(12), first_responded_at=at(12, 9),
             first_response_minutes=50, resolution_due_at=at(20), resolved_at=at(20, 11),
             resolution_minutes=400),
        # c5: a group's queue (no owner); targets due after the window
        case("new", "P4", None, g2, first_response_due_at=at(5, month=3),
             resolution_due_at=at(10, month=3)),
        # c6: FR met (70); resolution due after now: pending
        case("waiting_on_customer", "P2", a3, g2, first_response_due_at=at(24),
             first_responded_at=at(24, 9), first_response_minutes=70, resolution_due_at=at(27)),
        # c7: all of it before the window
        case("resolved", "P3", a3, g2, first_response_due_at=at(15, month=1),
             first_responded_at=at(15, 9, month=1), first_response_minutes=5,
             resolution_due_at=at(21, month=1), resolved_at=at(20, month=1),
             resolution_minutes=60),
        # c8: deleted: counts nowhere
        case("open", "P1", a1, g1, first_responded_at=at(3), first_response_minutes=1000,
             first_response_due_at=at(3), deleted_at=at(4)),
        # c10: FR flagged breached, never answered; resolution due after the window
        case("open", "P2", a1, g1, first_response_due_at=at(15), first_response_breached=True,
             resolution_due_at=at(5, month=3)),
        # c11: FR met (20), resolution met (300)
        case("resolved", "P2", a2, g1, first_response_due_at=at(14), first_responded_at=at(14, 9),
             first_response_minutes=20, resolution_due_at=at(16), resolved_at=at(15),
             resolution_minutes=300),
        # c9: another tenant's
        {**case("open", "P1", a1, g1, first_responded_at=at(3), first_response_minutes=999,
                first_response_due_at=at(3)), "tenant_id": uuid.uuid4()},
    ]  # fmt: skip
    await insert_cases(support_deps, rows)
    return {"tenant": str(tenant), "g1": g1, "g2": g2, "a1": a1, "a2": a2, "a3": a3}


async def _run(
    deps: SupportDeps, ctx: AccessContext, request: InsightsRequest = WINDOW
) -> insights.Insights:
    return await insights.help_desk_insights(request, ctx, deps, now=NOW)


def _figures(bucket: Bucket) -> tuple[Any, ...]:
    return (bucket.backlog, bucket.sla, bucket.first_response_times, bucket.resolution_times)


async def test_totals_match_the_hand_computed_table(
    support_deps: SupportDeps, desk: dict[str, Any]
) -> None:
    found = await _run(support_deps, admin(desk["tenant"]))
    data = found.data
    assert (found.window.start, found.window.end) == (at(1, 0), at(1, 0, month=3))
    assert data.total.backlog == 4
    assert data.by_status == {"new": 1, "open": 2, "waiting_on_customer": 1}
    assert data.by_priority == {"P1": 1, "P2": 2, "P4": 1}
    assert data.total.first_response == Compliance(met=5, breached=2, pending=0)
    assert data.total.resolution == Compliance(met=3, breached=2, pending=1)
    assert data.total.sla == Compliance(met=8, breached=4, pending=1)
    assert (data.total.first_response.percent, data.total.resolution.percent) == (71.4, 60.0)
    assert data.total.sla.percent == 66.7
    # 10, 20, 30, 50, 70, 90 -> median 40, p90 80; 100, 200, 300, 400 -> 250 and 370
    assert data.total.first_response_times == Durations(6, 40.0, pytest.approx(80.0))
    assert data.total.resolution_times == Durations(4, 250.0, pytest.approx(370.0))


async def test_per_group_and_per_agent(support_deps: SupportDeps, desk: dict[str, Any]) -> None:
    data = (await _run(support_deps, admin(desk["tenant"]))).data
    g1, g2 = str(desk["g1"]), str(desk["g2"])
    a1, a2, a3 = str(desk["a1"]), str(desk["a2"]), str(desk["a3"])
    assert set(data.groups) == {g1, g2}
    assert _figures(data.groups[g1]) == (
        2, Compliance(6, 3, 0), Durations(4, 25.0, pytest.approx(72.0)),
        Durations(3, 200.0, pytest.approx(280.0)),
    )  # fmt: skip
    assert _figures(data.groups[g2]) == (
        2, Compliance(2, 1, 1), Durations(2, 60.0, pytest.approx(68.0)),
        Durations(1, 400.0, 400.0),
    )  # fmt: skip
    assert set(data.agents) == {a1, a2, a3, ""}
    assert _figures(data.agents[a1]) == (
        1, Compliance(3, 2, 0), Durations(2, 60.0, pytest.approx(84.0)),
        Durations(2, 150.0, pytest.approx(190.0)),
    )  # fmt: skip
    assert _figures(data.agents[a2]) == (
        1, Compliance(4, 2, 0), Durations(3, 20.0, pytest.approx(44.0)),
        Durations(2, 350.0, pytest.approx(390.0)),
    )  # fmt: skip
    assert _figures(data.agents[a3]) == (1, Compliance(1, 0, 1), Durations(1, 70.0, 70.0),
                                         Durations())  # fmt: skip
    assert data.agents[a3].sla.percent == 100.0
    assert _figures(data.agents[""]) == (1, Compliance(), Durations(), Durations())
    assert data.agents[""].sla.percent is None


async def test_one_group(support_deps: SupportDeps, desk: dict[str, Any]) -> None:
    request = InsightsRequest("2026-02-01", "2026-03-01", str(desk["g1"]))
    data = (await _run(support_deps, admin(desk["tenant"]), request)).data
    assert _figures(data.total) == _figures(
        Bucket(2, Compliance(3, 2, 0), Compliance(3, 1, 0),
               Durations(4, 25.0, pytest.approx(72.0)), Durations(3, 200.0, pytest.approx(280.0)))
    )  # fmt: skip
    assert data.by_status == {"open": 2}
    assert list(data.groups) == [str(desk["g1"])]
    assert set(data.agents) == {str(desk["a1"]), str(desk["a2"])}
    a2 = data.agents[str(desk["a2"])]
    assert a2.first_response_times == Durations(2, 15.0, pytest.approx(19.0))


async def test_only_visible_cases_count(support_deps: SupportDeps, desk: dict[str, Any]) -> None:
    tenant = desk["tenant"]
    a2 = (await _run(support_deps, viewer(tenant, desk["a2"]))).data
    assert (a2.total.backlog, a2.by_status, set(a2.agents)) == (1, {"open": 1}, {str(desk["a2"])})
    assert a2.total.first_response_times == Durations(3, 20.0, pytest.approx(44.0))
    # A member of g2 sees the cases waiting in g2's queue (no owner), not its agents' cases.
    queue = (await _run(support_deps, viewer(tenant, desk["g2"]))).data
    assert (queue.total.backlog, queue.by_priority) == (1, {"P4": 1})
    assert queue.total.sla == Compliance()
    nobody = (await _run(support_deps, viewer(tenant, uuid.uuid4()))).data
    assert (nobody.total.backlog, nobody.groups, nobody.agents) == (0, {}, {})
    other = (await _run(support_deps, admin(str(uuid.uuid4())))).data
    assert (other.total.backlog, other.total.first_response_times) == (0, Durations())
    with pytest.raises(PermissionDenied):
        kb_only = {"knowledge_base": frozenset({"view"})}
        await _run(support_deps, AccessContext(tenant_id=tenant, permissions=kb_only))


async def test_the_window_is_checked(support_deps: SupportDeps) -> None:
    ctx = admin(str(uuid.uuid4()))
    bad = {
        ("2026-03-01", "2026-02-01", ""): "from",
        ("2026-02-01", "2026-02-01", ""): "from",
        ("2025-01-01", "2026-03-01", ""): "to",
        ("yesterday", "", ""): "from",
        ("", "2026-13-01", ""): "to",
        ("", "", "not-a-uuid"): "group_id",
    }
    for (start, end, group), field in bad.items():
        with pytest.raises(InvalidArgument) as caught:
            await _run(support_deps, ctx, InsightsRequest(start, end, group))
        assert [v.field for v in caught.value.violations] == [field], (start, end, group)
    found = await _run(support_deps, ctx, InsightsRequest("", "", ""))
    assert (found.window.start, found.window.end) == (at(26, 0, month=1), NOW)
    moment = await _run(support_deps, ctx, InsightsRequest("2026-02-01T09:00:00+01:00", "", ""))
    assert moment.window.start == at(1, 8)
