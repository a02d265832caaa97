"""Activities in the recycle bin against real PostgreSQL: listed for those who
could edit them, restored (not while the related record is deleted), purged
after the retention window; and an account whose external id a live one took
cannot come back."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.db import utcnow
from crm_common.errors import FailedPrecondition, NotFound, PermissionDenied
from sales.adapters.orm_activities import ActivityRow
from sales.domain.commands import CreateLead, CreateRecord, DeleteLead, DeleteRecord
from sales.service_layer import accounts, activities, leads, recycle_bin
from sales.service_layer.deps import SalesDeps

MODULES = ("leads", "accounts", "activities")


class Team:
    def __init__(self) -> None:
        self.tenant = str(uuid.uuid4())
        self.ids = {who: str(uuid.uuid4()) for who in ("manager", "rep", "peer")}

    def ctx(self, who: str) -> AccessContext:
        own = {"manager": {"manager", "rep"}, "rep": {"rep"}, "peer": {"peer"}}
        actions = {"view", "create", "edit"} | ({"delete"} if who != "rep" else set())
        return AccessContext(
            tenant_id=self.tenant,
            user_id=self.ids[who],
            permissions={m: frozenset(actions) for m in MODULES},
            defaults={m: "private" for m in MODULES},
            own_ids=frozenset(self.ids[o] for o in own[who]),
        )


async def _task(deps: SalesDeps, team: Team) -> tuple[uuid.UUID, uuid.UUID]:
    manager = team.ctx("manager")
    owner = uuid.UUID(team.ids["rep"])
    lead, _ = await leads.create_lead(
        CreateLead({"last_name": "L", "owner_id": owner}), manager, deps
    )
    values = {"type": "task", "subject": "Call back", "owner_id": owner}
    values.update(related_type="lead", related_id=lead.row.id)
    task = await activities.create_activity(CreateRecord(values), manager, deps)
    return lead.row.id, task.row.id


async def test_activity_bin_round_trip(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    _, task_id = await _task(deps, team)
    await activities.delete_activity(DeleteRecord(task_id), manager, deps)

    page = await recycle_bin.list_bin(manager, deps, "activities", limit=50, cursor=None)
    assert [(e.id, e.name, e.module) for e in page.items] == [(task_id, "Call back", "activities")]
    with pytest.raises(PermissionDenied):
        await recycle_bin.list_bin(team.ctx("rep"), deps, "activities", limit=50, cursor=None)
    with pytest.raises(NotFound):
        await recycle_bin.restore_activity(task_id, team.ctx("peer"), deps)

    restored = await recycle_bin.restore_activity(task_id, manager, deps)
    assert restored.row.deleted_at is None
    assert (await activities.get_activity(task_id, manager, deps)).row.subject == "Call back"
    with pytest.raises(NotFound):
        await recycle_bin.restore_activity(task_id, manager, deps)


async def test_not_while_the_related_record_is_deleted_and_purged_later(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    lead_id, task_id = await _task(deps, team)
    await activities.delete_activity(DeleteRecord(task_id), manager, deps)
    await leads.delete_lead(DeleteLead(lead_id), manager, deps)
    with pytest.raises(FailedPrecondition):
        await recycle_bin.restore_activity(task_id, manager, deps)

    async with deps.uow() as uow:
        stmt = sa.update(ActivityRow).where(ActivityRow.id == task_id)
        await uow.session.execute(stmt.values(deleted_at=utcnow() - timedelta(days=31)))
        await uow.commit()
    assert (
        await recycle_bin.list_bin(manager, deps, "activities", limit=50, cursor=None)
    ).items == []
    purged = await recycle_bin.purge_all(deps.uow)
    assert purged["activities"] >= 1
    async with deps.uow() as uow:
        assert await uow.session.get(ActivityRow, task_id) is None


async def test_an_account_whose_external_id_was_taken_stays_in_the_bin(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    old = await accounts.create_account(
        CreateRecord({"name": "Old", "external_id": "E-9"}), manager, deps
    )
    await accounts.delete_account(DeleteRecord(old.row.id), manager, deps)
    await accounts.create_account(
        CreateRecord({"name": "New", "external_id": "E-9"}), manager, deps
    )
    with pytest.raises(FailedPrecondition) as caught:
        await recycle_bin.restore_account(old.row.id, manager, deps)
    assert "E-9" in caught.value.message
