"""Field service against real PostgreSQL: contracts and their consumption,
work-order numbers and transitions, technicians never double-booked (also
under concurrent bookings), timelogs with totals, visibility and tenancy, and
the expiry job publishing once with two loops running."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from crm.common.v1 import events_pb2 as envelope_pb2
from crm.support.v1 import events_pb2
from crm_common.access import AccessContext
from crm_common.db import utcnow
from crm_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    VersionConflict,
)
from crm_common.events.tables import OutboxMessage
from support.adapters.field_repository import ContractFilters, WorkOrderFilters
from support.adapters.schedule_repository import AppointmentFilters
from support.service_layer import appointments, contract_expiry, contracts, timelogs, work_orders
from support.service_layer.deps import SupportDeps

SUPPORT = ("service_contracts", "work_orders", "timelogs", "cases")
AGENT = {m: frozenset({"view", "create", "edit", "export"}) for m in SUPPORT}


def admin(tenant: str | None = None) -> AccessContext:
    return AccessContext(
        tenant_id=tenant or str(uuid.uuid4()), user_id=str(uuid.uuid4()), all_records=True,
        permissions={"*": frozenset({"*"})},
    )  # fmt: skip


def agent(tenant: str, user: str | None = None) -> AccessContext:
    """A Support Agent: work actions, no delete, sees only their own records."""
    user = user or str(uuid.uuid4())
    return AccessContext(
        tenant_id=tenant, user_id=user, permissions=AGENT, own_ids=frozenset({user})
    )


def contract_values(**changes: Any) -> dict[str, Any]:
    today = utcnow().date()
    values: dict[str, Any] = {
        "name": "Gold care", "account_id": uuid.uuid4(), "start_date": today - timedelta(days=10),
        "end_date": today + timedelta(days=200), "entitlement_type": "hours",
        "entitlement_total": Decimal("10"), "status": "active", "tier": "Gold",
    }  # fmt: skip
    return {**values, **changes}


async def add_case(deps: SupportDeps, tenant: str, **values: Any) -> uuid.UUID:
    """A row in the cases area's table, filling whatever it requires."""
    case_id = uuid.uuid4()
    async with deps.uow() as uow:
        conn = await uow.session.connection()
        columns = await conn.run_sync(lambda c: sa.inspect(c).get_columns("cases"))
        known = {"priority": "P3", "status": "open", "channel": "email", "sla_status": "on_track"}
        row: dict[str, Any] = {"id": case_id, "tenant_id": uuid.UUID(tenant), **values}
        row.update({k: v for k, v in known.items() if k not in row})
        for col in columns:
            if col["name"] in row or col["nullable"] or col.get("default") is not None:
                continue
            row[col["name"]] = _filler(col["type"])
        table = sa.table("cases", *[sa.column(name) for name in row])
        await uow.session.execute(sa.insert(table).values(**row))
        await uow.commit()
    return case_id


def _filler(kind: Any) -> Any:
    name = type(kind).__name__.upper()
    if "UUID" in name:
        return uuid.uuid4()
    if "TIME" in name:
        return utcnow()
    if "INT" in name:
        return 0
    if "BOOL" in name:
        return False
    if "DATE" in name:
        return utcnow().date()
    return f"x{uuid.uuid4().hex[:8]}"[: getattr(kind, "length", None) or 9]


async def delete_case(deps: SupportDeps, case_id: uuid.UUID) -> None:
    async with deps.uow() as uow:
        table = sa.table("cases", sa.column("id"), sa.column("deleted_at"))
        await uow.session.execute(
            sa.update(table).where(table.c.id == case_id).values(deleted_at=utcnow())
        )
        await uow.commit()


# ---- service contracts ----


async def test_contract_defaults_rules_and_derived_status(support_deps: SupportDeps) -> None:
    ctx = admin()
    made = await contracts.create_contract(contract_values(status=None), ctx, support_deps)
    row = made.row
    assert (made.status, row.tier, str(row.owner_id), row.version) == (
        "draft", "gold", ctx.user_id, 1,
    )  # fmt: skip
    with pytest.raises(InvalidArgument) as caught:
        bad = contract_values(entitlement_type="visits", end_date=date(2000, 1, 1), name="")
        await contracts.create_contract(bad, ctx, support_deps)
    assert {v.field for v in caught.value.violations} == {"entitlement_type", "end_date", "name"}
    # An active contract past its end date reads (and filters) as expired.
    past = utcnow().date() - timedelta(days=1)
    ended = await contracts.update_contract(
        (await contracts.create_contract(contract_values(), ctx, support_deps)).row.id,
        {"end_date": past}, 1, ctx, support_deps,
    )  # fmt: skip
    assert ended.status == "expired"
    expired = await contracts.list_contracts(
        ctx, support_deps, ContractFilters(status="expired"), limit=10, cursor=None
    )
    assert [c.row.id for c in expired.items] == [ended.row.id]
    drafts = await contracts.list_contracts(
        ctx, support_deps, ContractFilters(status="draft"), limit=10, cursor=None
    )
    assert [c.row.id for c in drafts.items] == [row.id]
    await contracts.update_contract(row.id, {"status": "cancelled"}, 0, ctx, support_deps)
    with pytest.raises(FailedPrecondition):  # cancelled is final
        await contracts.update_contract(row.id, {"status": "active"}, 0, ctx, support_deps)
    with pytest.raises(VersionConflict):
        await contracts.update_contract(row.id, {"name": "x"}, 1, ctx, support_deps)
    with pytest.raises(NotFound):  # another tenant's id
        await contracts.get_contract(row.id, admin(), support_deps)


async def test_consumption_counts_cases_and_timelogs(support_deps: SupportDeps) -> None:
    ctx = admin()
    tenant = ctx.tenant_id
    made = await contracts.create_contract(
        contract_values(entitlement_type="cases", entitlement_total=Decimal("2")), ctx,
        support_deps,
    )  # fmt: skip
    fresh = await contracts.get_contract(made.row.id, ctx, support_deps)
    assert (fresh.consumption.cases_used, fresh.consumption.exhausted) == (0, False)
    first = await add_case(support_deps, tenant, service_contract_id=made.row.id)
    second = await add_case(support_deps, tenant, service_contract_id=made.row.id)
    gone = await add_case(support_deps, tenant, service_contract_id=made.row.id)
    await delete_case(support_deps, gone)
    await add_case(support_deps, tenant)  # another contract's (none)
    order = await work_orders.create_work_order(
        {"subject": "Visit", "service_contract_id": made.row.id}, ctx, support_deps
    )
    for values in ({"case_id": first, "minutes": 30}, {"case_id": second, "minutes": 45},
                   {"work_order_id": order.row.id, "minutes": 60, "billable": False},
                   {"case_id": gone, "minutes": 600}):  # fmt: skip
        if values.get("case_id") == gone:
            with pytest.raises(NotFound):  # a deleted case takes no time
                await timelogs.create_timelog(values, ctx, support_deps)
            continue
        await timelogs.create_timelog(values, ctx, support_deps)
    used = (await contracts.get_contract(made.row.id, ctx, support_deps)).consumption
    assert (used.cases_used, used.hours_used) == (2, Decimal("2.25"))
    assert (used.used, used.remaining, used.exhausted) == (Decimal(2), Decimal(0), True)
    page = await contracts.list_contracts(
        ctx, support_deps, ContractFilters(account_id=made.row.account_id), limit=5, cursor=None
    )
    assert [c.consumption for c in page.items] == [used]
    # The same contract counted in hours: 2.25 used of 2, exhausted too.
    hours = await contracts.update_contract(
        made.row.id, {"entitlement_type": "hours"}, 0, ctx, support_deps
    )
    assert (hours.consumption.used, hours.consumption.remaining) == (Decimal("2.25"), Decimal(0))
    assert hours.consumption.exhausted


async def test_contract_visibility_follows_the_owner(support_deps: SupportDeps) -> None:
    boss = admin()
    mine, theirs = agent(boss.tenant_id), agent(boss.tenant_id)
    made = await contracts.create_contract(contract_values(), mine, support_deps)
    assert (await contracts.get_contract(made.row.id, mine, support_deps)).row.id == made.row.id
    with pytest.raises(NotFound):
        await contracts.get_contract(made.row.id, theirs, support_deps)
    with pytest.raises(PermissionDenied):  # an agent cannot give it to someone else
        await contracts.update_contract(
            made.row.id, {"owner_id": uuid.UUID(theirs.user_id)}, 0, mine, support_deps
        )
    with pytest.raises(PermissionDenied):  # agents have no delete
        await contracts.delete_contract(made.row.id, 0, mine, support_deps)
    await contracts.delete_contract(made.row.id, 0, boss, support_deps)
    with pytest.raises(NotFound):
        await contracts.get_contract(made.row.id, boss, support_deps)


# ---- work orders ----


async def test_work_order_numbers_links_and_transitions(support_deps: SupportDeps) -> None:
    ctx = admin()
    year = utcnow().year
    made = await asyncio.gather(
        *(work_orders.create_work_order({"subject": f"Job {i}"}, ctx, support_deps)
          for i in range(5))
    )  # fmt: skip
    numbers = sorted(o.row.number for o in made)
    assert numbers == [f"WO-{year}-{n:06d}" for n in range(1, 6)]
    contract = (await contracts.create_contract(contract_values(), ctx, support_deps)).row
    case_id = await add_case(support_deps, ctx.tenant_id)
    order = await work_orders.create_work_order(
        {"subject": " Boiler ", "service_contract_id": contract.id, "case_id": case_id},
        ctx, support_deps,
    )  # fmt: skip
    row = order.row
    assert (row.subject, row.account_id, row.status, row.priority) == (
        "Boiler", contract.account_id, "new", "P3",
    )  # fmt: skip
    for bad, field in [({"case_id": uuid.uuid4()}, "case_id"),
                       ({"service_contract_id": uuid.uuid4()}, "service_contract_id"),
                       ({"service_contract_id": contract.id, "account_id": uuid.uuid4()},
                        "service_contract_id")]:  # fmt: skip
        with pytest.raises(InvalidArgument) as caught:
            await work_orders.create_work_order({"subject": "x", **bad}, ctx, support_deps)
        assert [v.field for v in caught.value.violations] == [field]
    with pytest.raises(FailedPrecondition):  # new -> completed skips the work
        await work_orders.update_work_order(row.id, {"status": "completed"}, 0, ctx, support_deps)
    await work_orders.update_work_order(row.id, {"status": "in_progress"}, 0, ctx, support_deps)
    done = await work_orders.update_work_order(
        row.id, {"status": "completed"}, 0, ctx, support_deps
    )
    assert done.row.completed_at is not None
    with pytest.raises(FailedPrecondition):  # completed is final
        await work_orders.update_work_order(row.id, {"subject": "again"}, 0, ctx, support_deps)
    listed = await work_orders.list_work_orders(
        ctx, support_deps, WorkOrderFilters(status="completed", case_id=case_id), limit=5,
        cursor=None,
    )  # fmt: skip
    assert [o.row.id for o in listed.items] == [row.id]
    other = await work_orders.list_work_orders(
        admin(), support_deps, WorkOrderFilters(), limit=5, cursor=None
    )
    assert other.items == []


# ---- appointments ----


def visit(
    order_id: uuid.UUID, technician: uuid.UUID, start_hour: float, hours: float = 2
) -> dict[str, Any]:
    start = datetime(2031, 3, 3, tzinfo=UTC) + timedelta(hours=start_hour)
    return {"work_order_id": order_id, "technician_id": technician, "scheduled_start": start,
            "scheduled_end": start + timedelta(hours=hours)}  # fmt: skip


async def test_a_technician_is_never_double_booked(support_deps: SupportDeps) -> None:
    ctx = admin()
    tech = uuid.uuid4()
    order = (await work_orders.create_work_order({"subject": "Fit"}, ctx, support_deps)).row
    first = await appointments.create_appointment(visit(order.id, tech, 9), ctx, support_deps)
    reread = await work_orders.get_work_order(order.id, ctx, support_deps)
    assert reread.row.status == "scheduled"  # a new work order is scheduled by its first visit
    with pytest.raises(AlreadyExists) as caught:
        await appointments.create_appointment(visit(order.id, tech, 10), ctx, support_deps)
    assert caught.value.field == "technician_id"
    # Back to back is fine; so is another technician at the same time.
    await appointments.create_appointment(visit(order.id, tech, 11), ctx, support_deps)
    await appointments.create_appointment(visit(order.id, uuid.uuid4(), 9), ctx, support_deps)
    # Moving onto a booked slot is refused; cancelling frees the slot.
    late = await appointments.create_appointment(visit(order.id, tech, 14), ctx, support_deps)
    with pytest.raises(AlreadyExists):
        await appointments.update_appointment(
            late.row.id, {"scheduled_start": visit(order.id, tech, 12)["scheduled_start"]}, 0,
            ctx, support_deps,
        )  # fmt: skip
    await appointments.update_appointment(
        first.row.id, {"status": "cancelled"}, 0, ctx, support_deps
    )
    again = await appointments.create_appointment(visit(order.id, tech, 9), ctx, support_deps)
    with pytest.raises(FailedPrecondition):
        await appointments.update_appointment(
            again.row.id, {"status": "completed"}, 0, ctx, support_deps
        )
    with pytest.raises(InvalidArgument) as bad:
        await appointments.create_appointment(visit(order.id, tech, 20, -1), ctx, support_deps)
    assert [v.field for v in bad.value.violations] == ["scheduled_end"]
    page = await appointments.list_appointments(
        ctx, support_deps, AppointmentFilters(technician_id=tech, status="scheduled"), limit=10,
        cursor=None,
    )  # fmt: skip
    starts = [a.row.scheduled_start.hour for a in page.items]
    assert starts == [9, 11, 14]  # ordered by time; the cancelled one is filtered out


async def test_concurrent_bookings_of_one_slot_give_one_visit(support_deps: SupportDeps) -> None:
    ctx = admin()
    tech = uuid.uuid4()
    order = (await work_orders.create_work_order({"subject": "Race"}, ctx, support_deps)).row
    orders = [order.id] + [
        (await work_orders.create_work_order({"subject": f"Race {i}"}, ctx, support_deps)).row.id
        for i in range(5)
    ]
    results = await asyncio.gather(
        *(appointments.create_appointment(visit(o, tech, 9 + i * 0.25), ctx, support_deps)
          for i, o in enumerate(orders)),
        return_exceptions=True,
    )  # fmt: skip
    booked = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, AlreadyExists)]
    assert (len(booked), len(refused)) == (1, len(orders) - 1)


async def test_appointments_are_seen_by_technician_and_work_order_owner(
    support_deps: SupportDeps,
) -> None:
    boss = admin()
    dispatcher, tech, stranger = (agent(boss.tenant_id) for _ in range(3))
    order = (await work_orders.create_work_order({"subject": "Pump"}, dispatcher, support_deps)).row
    made = await appointments.create_appointment(
        visit(order.id, uuid.UUID(tech.user_id), 40), dispatcher, support_deps
    )
    for who in (dispatcher, tech, boss):
        assert (await appointments.get_appointment(made.row.id, who, support_deps)).row
    with pytest.raises(NotFound):
        await appointments.get_appointment(made.row.id, stranger, support_deps)
    with pytest.raises(NotFound):  # the stranger cannot book on a work order they do not see
        await appointments.create_appointment(
            visit(order.id, uuid.UUID(stranger.user_id), 50), stranger, support_deps
        )
    moved = await appointments.update_appointment(
        made.row.id, {"status": "dispatched"}, 1, tech, support_deps
    )
    assert moved.row.status == "dispatched"


# ---- timelogs ----


async def test_timelogs_totals_visibility_and_delete(support_deps: SupportDeps) -> None:
    boss = admin()
    ann, bob = agent(boss.tenant_id), agent(boss.tenant_id)
    case_id = await add_case(support_deps, boss.tenant_id, owner_id=uuid.UUID(ann.user_id))
    ann_log = await timelogs.create_timelog(
        {"case_id": case_id, "minutes": 30, "note": " diagnosis "}, ann, support_deps
    )
    assert (str(ann_log.row.user_id), ann_log.row.billable, ann_log.row.note) == (
        ann.user_id, True, "diagnosis",
    )  # fmt: skip
    await timelogs.create_timelog(
        {"case_id": case_id, "minutes": 45, "billable": False}, ann, support_deps
    )
    await timelogs.create_timelog(
        {"case_id": case_id, "minutes": 15, "user_id": uuid.UUID(bob.user_id)}, boss, support_deps
    )
    seen = await timelogs.list_timelogs(case_id, None, boss, support_deps, limit=2, cursor=None)
    assert (seen.totals.total_minutes, seen.totals.billable_minutes) == (90, 45)
    assert (len(seen.page.items), seen.page.next_cursor is not None) == (2, True)
    own = await timelogs.list_timelogs(case_id, None, ann, support_deps, limit=10, cursor=None)
    assert (own.totals.total_minutes, own.totals.billable_minutes) == (75, 30)  # Ann's own
    with pytest.raises(NotFound):  # Bob may not see Ann's case
        await timelogs.list_timelogs(case_id, None, bob, support_deps, limit=10, cursor=None)
    with pytest.raises(PermissionDenied):  # nor log time as Ann
        await timelogs.create_timelog(
            {"case_id": case_id, "minutes": 5, "user_id": uuid.UUID(ann.user_id)}, bob,
            support_deps,
        )  # fmt: skip
    with pytest.raises(InvalidArgument) as caught:
        await timelogs.create_timelog({"case_id": case_id, "minutes": 0}, ann, support_deps)
    assert [v.field for v in caught.value.violations] == ["minutes"]
    await timelogs.delete_timelog(ann_log.row.id, ann, support_deps)
    with pytest.raises(NotFound):
        await timelogs.delete_timelog(ann_log.row.id, ann, support_deps)
    after = await timelogs.list_timelogs(case_id, None, boss, support_deps, limit=10, cursor=None)
    assert after.totals.total_minutes == 60


# ---- expiry warnings ----


async def test_expiry_job_publishes_once_with_two_loops(support_deps: SupportDeps) -> None:
    ctx = admin()
    today = utcnow().date()
    soon = await contracts.create_contract(
        contract_values(end_date=today + timedelta(days=5)), ctx, support_deps
    )
    later = await contracts.create_contract(
        contract_values(end_date=today + timedelta(days=300)), ctx, support_deps
    )
    draft = await contracts.create_contract(
        contract_values(end_date=today + timedelta(days=5), status="draft"), ctx, support_deps
    )
    settings = support_deps.settings.model_copy(update={"contract_poll_seconds": 0.05})
    deps = dataclasses.replace(support_deps, settings=settings)
    stop = asyncio.Event()
    loops = [asyncio.create_task(contract_expiry.contract_expiry_job(deps)(stop)) for _ in "ab"]
    try:
        for _ in range(100):  # bounded: up to ~5 s
            if await _expiring_events(support_deps, ctx.tenant_id):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # several more rounds of both loops
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*loops), timeout=10)
    events = await _expiring_events(support_deps, ctx.tenant_id)
    assert [(e.contract_id, e.days_left) for e in events] == [(str(soon.row.id), 5)]
    assert events[0].end_date == (today + timedelta(days=5)).isoformat()
    assert str(later.row.id) != events[0].contract_id != str(draft.row.id)
    # Moving the end date re-arms the warning: announced again for the new date.
    await contracts.update_contract(
        soon.row.id, {"end_date": today + timedelta(days=6)}, 0, ctx, support_deps
    )
    runs = await asyncio.gather(
        *(contract_expiry.announce_expiring(support_deps.uow, 30) for _ in range(2))
    )
    assert sum(runs) == 1
    assert [e.days_left for e in await _expiring_events(support_deps, ctx.tenant_id)] == [5, 6]


async def _expiring_events(deps: SupportDeps, tenant: str) -> list[events_pb2.ContractExpiring]:
    async with deps.uow() as uow:
        rows = await uow.session.scalars(
            sa.select(OutboxMessage.payload)
            .where(
                OutboxMessage.tenant_id == tenant,
                OutboxMessage.subject == "crm.support.contract.expiring",
            )
            .order_by(OutboxMessage.seq)
        )
        found = []
        for raw in rows:
            envelope = envelope_pb2.Envelope.FromString(raw)
            payload = events_pb2.ContractExpiring()
            envelope.payload.Unpack(payload)
            found.append(payload)
    return found
