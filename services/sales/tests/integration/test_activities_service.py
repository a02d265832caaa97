"""Activities handlers against real PostgreSQL: validation per type, the related
record (exists, visible), owner-based visibility, filters and sorting, status
and completion, optimistic versions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from crm_common.access import AccessContext
from crm_common.errors import InvalidArgument, NotFound, PermissionDenied, VersionConflict
from sales.adapters.activity_repository import ActivityFilters
from sales.domain.commands import CreateLead, CreateRecord, DeleteRecord, UpdateRecord
from sales.service_layer import accounts, activities, leads
from sales.service_layer.deps import SalesDeps

WORK = frozenset({"view", "create", "edit", "export"})
MODULES = ("leads", "accounts", "contacts", "activities")
T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


class Team:
    def __init__(self) -> None:
        self.tenant = str(uuid.uuid4())
        self.ids = {who: str(uuid.uuid4()) for who in ("manager", "rep", "peer", "admin")}

    def ctx(self, who: str) -> AccessContext:
        own = {"manager": {"manager", "rep", "peer"}, "rep": {"rep"}, "peer": {"peer"}}
        actions = WORK | ({"delete"} if who in ("manager", "admin") else set())
        return AccessContext(
            tenant_id=self.tenant,
            user_id=self.ids[who],
            all_records=who == "admin",
            permissions=dict.fromkeys(MODULES, actions),
            defaults=dict.fromkeys(MODULES, "private"),
            own_ids=frozenset(self.ids[o] for o in own.get(who, {who})),
        )

    async def lead(self, deps: SalesDeps, who: str = "rep") -> uuid.UUID:
        cmd = CreateLead({"last_name": f"L-{uuid.uuid4().hex[:6]}"})
        created, _ = await leads.create_lead(cmd, self.ctx(who), deps)
        return created.row.id


def task(related_id: uuid.UUID, **values: object) -> CreateRecord:
    return CreateRecord(
        {"type": "task", "subject": "Call back", "related_type": "lead",
         "related_id": related_id, **values}
    )  # fmt: skip


def fields_of(error: InvalidArgument) -> list[str]:
    return [v.field for v in error.violations]


async def test_task_on_a_visible_lead(deps: SalesDeps) -> None:
    team = Team()
    lead_id = await team.lead(deps)
    created = await activities.create_activity(
        task(lead_id, due_at=T0, priority="high"), team.ctx("rep"), deps
    )
    row = created.row
    assert (row.owner_id, row.status, row.priority, row.due_at) == (
        uuid.UUID(team.ids["rep"]),
        "open",
        "high",
        T0,
    )
    assert (await activities.get_activity(row.id, team.ctx("manager"), deps)).row.id == row.id
    with pytest.raises(NotFound):
        await activities.get_activity(row.id, team.ctx("peer"), deps)
    with pytest.raises(NotFound):  # the peer may not see the rep's lead
        await activities.create_activity(task(lead_id), team.ctx("peer"), deps)
    with pytest.raises(InvalidArgument) as missing:
        await activities.create_activity(task(uuid.uuid4()), team.ctx("rep"), deps)
    assert fields_of(missing.value) == ["related_id"]
    other = Team()
    with pytest.raises(InvalidArgument):  # another tenant's lead does not exist here
        await activities.create_activity(task(lead_id), other.ctx("admin"), deps)


async def test_validation_names_every_field(deps: SalesDeps) -> None:
    team = Team()
    lead_id = await team.lead(deps)
    bad = CreateRecord(
        {"type": "meeting", "subject": "", "related_type": "lead", "related_id": lead_id,
         "start_at": T0, "end_at": T0 - timedelta(hours=1), "direction": "sideways",
         "priority": "urgent", "attendees": [{"email": "not-an-email"}]}
    )  # fmt: skip
    with pytest.raises(InvalidArgument) as caught:
        await activities.create_activity(bad, team.ctx("rep"), deps)
    assert set(fields_of(caught.value)) == {
        "priority", "direction", "subject", "end_at", "attendees"
    }  # fmt: skip
    no_end = CreateRecord({**bad.values, "subject": "Demo", "end_at": None, "direction": ""})
    with pytest.raises(InvalidArgument) as caught:
        await activities.create_activity(no_end, team.ctx("rep"), deps)
    assert "end_at" in fields_of(caught.value)
    with pytest.raises(InvalidArgument) as caught:
        await activities.create_activity(task(lead_id, location="Room 1"), team.ctx("rep"), deps)
    assert fields_of(caught.value) == ["location"]


async def test_meeting_and_call(deps: SalesDeps) -> None:
    team = Team()
    account = await accounts.create_account(CreateRecord({"name": "Acme"}), team.ctx("rep"), deps)
    contact = await accounts.create_contact(
        CreateRecord({"last_name": "C", "account_id": account.row.id}), team.ctx("rep"), deps
    )
    meeting = CreateRecord(
        {"type": "meeting", "subject": "Demo", "related_type": "account",
         "related_id": account.row.id, "start_at": T0, "end_at": T0 + timedelta(hours=1),
         "location": "HQ", "attendees": [
             {"user_id": team.ids["manager"]}, {"contact_id": str(contact.row.id)},
             {"email": "Guest@Example.com"}]}
    )  # fmt: skip
    row = (await activities.create_activity(meeting, team.ctx("rep"), deps)).row
    assert row.attendees[2] == {"email": "guest@example.com"}
    stranger = {**meeting.values, "attendees": [{"contact_id": str(uuid.uuid4())}]}
    with pytest.raises(InvalidArgument) as caught:
        await activities.create_activity(CreateRecord(stranger), team.ctx("rep"), deps)
    assert fields_of(caught.value) == ["attendees"]
    call = CreateRecord(
        {"type": "call", "subject": "Intro", "related_type": "contact",
         "related_id": contact.row.id, "direction": "outbound", "duration_seconds": 300,
         "outcome": "interested"}
    )  # fmt: skip
    logged = (await activities.create_activity(call, team.ctx("rep"), deps)).row
    assert (logged.direction, logged.duration_seconds) == ("outbound", 300)


async def test_update_completes_rearms_and_checks_versions(deps: SalesDeps) -> None:
    team = Team()
    rep = team.ctx("rep")
    row = (await activities.create_activity(task(await team.lead(deps)), rep, deps)).row
    done = await activities.update_activity(
        UpdateRecord(row.id, {"status": "completed"}, row.version), rep, deps
    )
    assert done.row.completed_at is not None and done.row.version == row.version + 1
    with pytest.raises(VersionConflict):
        await activities.update_activity(UpdateRecord(row.id, {"subject": "x"}, 1), rep, deps)
    reopened = await activities.update_activity(
        UpdateRecord(row.id, {"status": "open", "reminder_at": T0}), rep, deps
    )
    assert reopened.row.completed_at is None and reopened.row.reminded_at is None
    with pytest.raises(InvalidArgument) as caught:
        await activities.update_activity(UpdateRecord(row.id, {"end_at": T0}), rep, deps)
    assert fields_of(caught.value) == ["end_at"]  # a task has no end
    with pytest.raises(NotFound):
        await activities.update_activity(
            UpdateRecord(row.id, {"subject": "x"}), team.ctx("peer"), deps
        )
    with pytest.raises(PermissionDenied):  # reps may not delete
        await activities.delete_activity(DeleteRecord(row.id), rep, deps)
    await activities.delete_activity(DeleteRecord(row.id), team.ctx("manager"), deps)
    with pytest.raises(NotFound):
        await activities.get_activity(row.id, rep, deps)


async def test_filters_and_sorting(deps: SalesDeps) -> None:
    team = Team()
    rep = team.ctx("rep")
    lead_a, lead_b = await team.lead(deps), await team.lead(deps)
    made = []
    for lead_id, hours in ((lead_a, 3), (lead_a, 1), (lead_b, 2), (lead_a, None)):
        due = None if hours is None else T0 + timedelta(hours=hours)
        made.append((await activities.create_activity(task(lead_id, due_at=due), rep, deps)).row)

    async def listed(limit: int = 50, **filters: object) -> list[uuid.UUID]:
        found, cursor = [], None
        for _ in range(10):  # bounded paging
            page = await activities.list_activities(
                rep, deps, ActivityFilters(**filters), limit=limit, cursor=cursor
            )
            found += [a.row.id for a in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        return found

    by_due = [made[1].id, made[2].id, made[0].id, made[3].id]  # no due date last
    assert await listed(sort="due_at") == by_due
    assert await listed(limit=1, sort="due_at") == by_due
    on_a = await listed(related_type="lead", related_id=lead_a, sort="due_at")
    assert on_a == [made[1].id, made[0].id, made[3].id]
    window = await listed(due_after=T0 + timedelta(hours=2), due_before=T0 + timedelta(hours=3))
    assert window == [made[2].id]
    assert await listed(owner_id=uuid.UUID(team.ids["peer"])) == []
    assert len(await listed(status="open", type="task")) == 4
