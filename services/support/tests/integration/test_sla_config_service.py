"""Business-hours calendars and SLA policies against real PostgreSQL: validation naming
the field, versions, names, ordering and reordering (also concurrently), first-match
rules, what the cases area asks (match_policy, calendar_of), tenancy and permissions."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from crm_common.access import AccessContext
from crm_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    VersionConflict,
)
from support.domain.business_time import add_business_minutes
from support.service_layer import business_hours as bh
from support.service_layer import sla_policies as sp
from support.service_layer.deps import SupportDeps

AMS = ZoneInfo("Europe/Amsterdam")
OFFICE = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def admin(tenant: str | None = None) -> AccessContext:
    return AccessContext(
        tenant_id=tenant or str(uuid.uuid4()),
        user_id=str(uuid.uuid4()),
        all_records=True,
        permissions={"*": frozenset({"*"})},
    )


def agent(tenant: str) -> AccessContext:
    """A Support Agent: works cases (view/create/edit/export), not every record."""
    return AccessContext(
        tenant_id=tenant,
        user_id=str(uuid.uuid4()),
        permissions={"cases": frozenset({"view", "create", "edit", "export"})},
    )


def calendar_body(**values: Any) -> dict[str, Any]:
    return {
        "name": f"Office {uuid.uuid4().hex[:6]}",
        "timezone": "Europe/Amsterdam",
        "weekly": OFFICE,
        "holidays": ["2026-12-25"],
        **values,
    }


async def invalid_field(coro: Any) -> str:
    with pytest.raises(InvalidArgument) as err:
        await coro
    return err.value.violations[0].field


async def test_calendar_round_trip_and_validation(support_deps: SupportDeps) -> None:
    ctx = admin()
    lunch = {"mon": [["13:00", "17:00"], ["09:00", "12:00"]], "sat": [["22:00", "24:00"]]}
    row = await bh.create_business_hours(
        calendar_body(weekly=lunch, holidays=["2026-12-26", "2026-12-25", "2026-12-25"]),
        ctx,
        support_deps,
    )
    assert row.weekly == {
        "mon": [["09:00", "12:00"], ["13:00", "17:00"]],
        "sat": [["22:00", "24:00"]],
    }
    assert row.holidays == ["2026-12-25", "2026-12-26"]
    got = await bh.get_business_hours(row.id, ctx, support_deps)
    assert got.timezone == "Europe/Amsterdam" and got.version == 1

    cases = {
        "timezone": calendar_body(timezone="Mars/Olympus"),
        "weekly.mon[0]": calendar_body(weekly={"mon": [["17:00", "09:00"]]}),
        "weekly.tue[1]": calendar_body(weekly={"tue": [["09:00", "12:00"], ["11:00", "13:00"]]}),
        "weekly.funday": calendar_body(weekly={"funday": [["09:00", "12:00"]]}),
        "weekly.wed[0]": calendar_body(weekly={"wed": [["9:00", "25:00"]]}),
        "holidays[1]": calendar_body(holidays=["2026-12-25", "25/12/2026"]),
        "weekly": calendar_body(weekly={}),
        "name": calendar_body(name="  "),
    }
    for field, body in cases.items():
        assert await invalid_field(bh.create_business_hours(body, ctx, support_deps)) == field
    # a 24x7 calendar needs no weekly hours
    always = await bh.create_business_hours(
        calendar_body(weekly={}, always_open=True), ctx, support_deps
    )
    assert always.always_open


async def test_calendar_names_versions_tenancy_and_access(support_deps: SupportDeps) -> None:
    ctx = admin()
    row = await bh.create_business_hours(calendar_body(name="Main office"), ctx, support_deps)
    with pytest.raises(AlreadyExists) as taken:
        await bh.create_business_hours(calendar_body(name="MAIN OFFICE"), ctx, support_deps)
    assert taken.value.field == "name"
    # another tenant may use the name and cannot see the record
    other = admin()
    await bh.create_business_hours(calendar_body(name="Main office"), other, support_deps)
    with pytest.raises(NotFound):
        await bh.get_business_hours(row.id, other, support_deps)
    with pytest.raises(NotFound):
        cmd = bh.UpdateCalendar(row.id, {"name": "x"})
        await bh.update_business_hours(cmd, other, support_deps)
    # versions
    changed = await bh.update_business_hours(
        bh.UpdateCalendar(row.id, {"timezone": "America/New_York"}, expected_version=1),
        ctx,
        support_deps,
    )
    assert changed.version == 2 and changed.timezone == "America/New_York"
    with pytest.raises(VersionConflict):
        await bh.update_business_hours(
            bh.UpdateCalendar(row.id, {"name": "late"}, expected_version=1), ctx, support_deps
        )
    field = await invalid_field(
        bh.update_business_hours(
            bh.UpdateCalendar(row.id, {"weekly": {"fri": [["10:00", "10:00"]]}}), ctx, support_deps
        )
    )
    assert field == "weekly.fri[0]"
    # a Support Agent reads but does not change configuration
    helper = agent(ctx.tenant_id)
    assert (await bh.get_business_hours(row.id, helper, support_deps)).id == row.id
    with pytest.raises(PermissionDenied):
        await bh.create_business_hours(calendar_body(), helper, support_deps)
    with pytest.raises(PermissionDenied):
        await bh.delete_business_hours(row.id, 0, helper, support_deps)
    page = await bh.list_business_hours(helper, support_deps, limit=50, cursor=None)
    assert [r.id for r in page.items] == [row.id]


def policy_body(**values: Any) -> dict[str, Any]:
    return {"name": f"Policy {uuid.uuid4().hex[:6]}", "resolution_minutes": 120, **values}


async def test_policies_are_ordered_and_reordered(support_deps: SupportDeps) -> None:
    ctx = admin()
    a = await sp.create_sla_policy(policy_body(name="A"), ctx, support_deps)
    b = await sp.create_sla_policy(policy_body(name="B"), ctx, support_deps)
    c = await sp.create_sla_policy(policy_body(name="C", position=1), ctx, support_deps)

    async def order() -> list[str]:
        page = await sp.list_sla_policies(
            ctx, support_deps, active_only=None, limit=50, cursor=None
        )
        assert [p.position for p in page.items] == list(range(1, len(page.items) + 1))
        return [p.name for p in page.items]

    assert await order() == ["C", "A", "B"]
    await sp.update_sla_policy(sp.UpdatePolicy(c.id, {"position": 3}), ctx, support_deps)
    assert await order() == ["A", "B", "C"]
    await sp.update_sla_policy(sp.UpdatePolicy(b.id, {"position": 99}), ctx, support_deps)
    assert await order() == ["A", "C", "B"]
    await sp.delete_sla_policy(a.id, 0, ctx, support_deps)
    assert await order() == ["C", "B"]
    with pytest.raises(NotFound):
        await sp.get_sla_policy(a.id, ctx, support_deps)
    # paging keeps the order
    first = await sp.list_sla_policies(ctx, support_deps, active_only=None, limit=1, cursor=None)
    assert first.next_cursor is not None
    rest = await sp.list_sla_policies(
        ctx, support_deps, active_only=None, limit=1, cursor=first.next_cursor
    )
    assert [p.name for p in first.items + rest.items] == ["C", "B"]


async def test_concurrent_creates_get_distinct_positions(support_deps: SupportDeps) -> None:
    ctx = admin()
    made = await asyncio.gather(
        *(sp.create_sla_policy(policy_body(), ctx, support_deps) for _ in range(6))
    )
    assert len(made) == 6
    page = await sp.list_sla_policies(ctx, support_deps, active_only=None, limit=50, cursor=None)
    assert sorted(p.position for p in page.items) == [1, 2, 3, 4, 5, 6]


async def test_policy_validation_names_the_field(support_deps: SupportDeps) -> None:
    ctx = admin()
    other_calendar = await bh.create_business_hours(calendar_body(), admin(), support_deps)
    cases = {
        "conditions.priorities[0]": policy_body(priorities=["P9"]),
        "conditions.service_contract_ids[0]": policy_body(service_contract_ids=["nope"]),
        "warning_percent": policy_body(warning_percent=100),
        "pause_statuses[0]": policy_body(pause_statuses=["resolved"]),
        "resolution_minutes": policy_body(resolution_minutes=0),
        "escalations[1].level": policy_body(
            escalations=[
                {"level": 1, "after_minutes": 0, "group_id": None, "notify_manager": True},
                {"level": 1, "after_minutes": 30, "group_id": None, "notify_manager": False},
            ]
        ),
        "escalations[0].group_id": policy_body(
            escalations=[{"level": 1, "after_minutes": 0, "group_id": "x"}]
        ),
        # another tenant's calendar does not exist for this one
        "business_hours_id": policy_body(business_hours_id=other_calendar.id),
    }
    for field, body in cases.items():
        assert await invalid_field(sp.create_sla_policy(body, ctx, support_deps)) == field
    no_target = {"name": "none"}
    assert await invalid_field(sp.create_sla_policy(no_target, ctx, support_deps)) == (
        "resolution_minutes"
    )


async def test_match_policy_first_active_match_wins(support_deps: SupportDeps) -> None:
    ctx = admin()
    tenant = uuid.UUID(ctx.tenant_id)
    contract = uuid.uuid4()
    cal = await bh.create_business_hours(calendar_body(), ctx, support_deps)
    inactive = await sp.create_sla_policy(
        policy_body(name="off", active=False, priorities=["P1"]), ctx, support_deps
    )
    by_contract = await sp.create_sla_policy(
        policy_body(name="contract", service_contract_ids=[str(contract)]), ctx, support_deps
    )
    gold_p1 = await sp.create_sla_policy(
        policy_body(
            name="gold P1",
            priorities=["P1", "P2"],
            account_tiers=["Gold"],
            business_hours_id=cal.id,
            first_response_minutes=30,
            warning_percent=75,
            pause_statuses=["waiting_on_customer"],
            escalations=[
                {"level": 2, "after_minutes": 60, "group_id": None, "notify_manager": True},
                {"level": 1, "after_minutes": 0, "group_id": str(uuid.uuid4())},
            ],
        ),
        ctx,
        support_deps,
    )
    catch_all = await sp.create_sla_policy(policy_body(name="default"), ctx, support_deps)

    async def match(priority: str, tier: str, contract_id: uuid.UUID | None = None) -> Any:
        async with support_deps.uow() as uow:
            return await sp.match_policy(
                uow.session, tenant, priority=priority, account_tier=tier,
                service_contract_id=contract_id,
            )  # fmt: skip

    assert (await match("P1", "gold", contract)).id == by_contract.id
    found = await match("P1", "gold")
    assert found.id == gold_p1.id
    assert found.warning_percent == 75 and found.first_response_minutes == 30
    assert found.pause_statuses == frozenset({"waiting_on_customer"})
    assert [e.level for e in found.escalations] == [1, 2]
    assert found.calendar.timezone == "Europe/Amsterdam"
    assert found.calendar.holidays == frozenset({date(2026, 12, 25)})
    # the calendar counts: Friday 16:30 + 2 business hours = Monday 10:30
    friday = datetime(2026, 11, 27, 16, 30, tzinfo=AMS)
    assert add_business_minutes(found.calendar, friday, 120) == datetime(
        2026, 11, 30, 10, 30, tzinfo=AMS
    )
    assert (await match("P3", "gold")).id == catch_all.id
    assert (await match("P1", "silver")).id == catch_all.id
    # the catch-all is a 24x7 clock with both pause statuses by default
    default = await match("P4", "")
    assert default.calendar.always_open
    assert default.pause_statuses == frozenset({"waiting_on_customer", "waiting_on_third_party"})
    assert default.warning_percent == 80
    # deactivating the catch-all leaves no match; activating the first one matches P1
    await sp.update_sla_policy(sp.UpdatePolicy(catch_all.id, {"active": False}), ctx, support_deps)
    assert await match("P3", "") is None
    await sp.update_sla_policy(sp.UpdatePolicy(inactive.id, {"active": True}), ctx, support_deps)
    assert (await match("P1", "gold")).id == inactive.id
    # another tenant sees none of it
    async with support_deps.uow() as uow:
        assert (
            await sp.match_policy(
                uow.session, uuid.uuid4(), priority="P1", account_tier="", service_contract_id=None
            )
            is None
        )
    preview = await sp.preview_match(
        agent(ctx.tenant_id), support_deps, priority="P2", account_tier="GOLD",
        service_contract_id=None,
    )  # fmt: skip
    assert preview is not None and preview.id == gold_p1.id


async def test_calendar_of_and_deleting_a_used_calendar(support_deps: SupportDeps) -> None:
    ctx = admin()
    tenant = uuid.UUID(ctx.tenant_id)
    cal = await bh.create_business_hours(
        calendar_body(weekly={"mon": [["09:00", "12:00"], ["13:00", "17:00"]]}), ctx, support_deps
    )
    async with support_deps.uow() as uow:
        calendar = await sp.calendar_of(uow.session, tenant, cal.id)
        assert calendar is not None
        assert calendar.weekly == {0: ((time(9), time(12)), (time(13), time(17)))}
        assert await sp.calendar_of(uow.session, uuid.uuid4(), cal.id) is None
    policy = await sp.create_sla_policy(policy_body(business_hours_id=cal.id), ctx, support_deps)
    with pytest.raises(FailedPrecondition):
        await bh.delete_business_hours(cal.id, 0, ctx, support_deps)
    await sp.update_sla_policy(
        sp.UpdatePolicy(policy.id, {"business_hours_id": None}), ctx, support_deps
    )
    await bh.delete_business_hours(cal.id, 0, ctx, support_deps)
    async with support_deps.uow() as uow:
        assert await sp.calendar_of(uow.session, tenant, cal.id) is None
    with pytest.raises(NotFound):
        await bh.get_business_hours(cal.id, ctx, support_deps)
