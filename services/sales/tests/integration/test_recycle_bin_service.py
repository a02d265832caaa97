"""The recycle bin against real PostgreSQL: listing only what the caller could edit,
restore (and its events), the retention window, contacts of deleted accounts, and
the purge job."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.db import utcnow
from crm_common.errors import FailedPrecondition, InvalidArgument, NotFound, PermissionDenied
from crm_common.events.tables import OutboxMessage
from crm_common.pagination import Page
from sales.adapters.orm import AccountRow, ContactRow, LeadRow
from sales.adapters.repository import LeadFilters
from sales.domain.commands import CreateLead, CreateRecord, DeleteLead, DeleteRecord
from sales.service_layer import accounts, leads, recycle_bin
from sales.service_layer.deps import SalesDeps

WORK = frozenset({"view", "create", "edit", "export"})
MODULES = ("leads", "accounts", "contacts")


class Team:
    def __init__(self) -> None:
        self.tenant = str(uuid.uuid4())
        self.ids = {who: str(uuid.uuid4()) for who in ("manager", "rep", "peer", "admin")}

    def ctx(self, who: str, *, delete: bool | None = None) -> AccessContext:
        own = {"manager": {"manager", "rep"}, "rep": {"rep"}, "peer": {"peer"}}
        may_delete = who in ("manager", "admin", "peer") if delete is None else delete
        actions = WORK | ({"delete"} if may_delete else set())
        return AccessContext(
            tenant_id=self.tenant,
            user_id=self.ids[who],
            all_records=who == "admin",
            permissions={m: actions for m in MODULES},
            fields={m: {} for m in MODULES},
            defaults={m: "private" for m in MODULES},
            own_ids=frozenset(self.ids[o] for o in own.get(who, {who})),
        )


async def _lead(deps: SalesDeps, ctx: AccessContext, owner: str) -> uuid.UUID:
    values = {"last_name": "Binned", "company": f"co-{uuid.uuid4().hex[:6]}"}
    lead, _ = await leads.create_lead(
        CreateLead({**values, "owner_id": uuid.UUID(owner)}), ctx, deps
    )
    return lead.row.id


async def _age(deps: SalesDeps, model: type, record_id: uuid.UUID, days: int) -> None:
    async with deps.uow() as uow:
        await uow.session.execute(
            sa.update(model)
            .where(model.id == record_id)
            .values(deleted_at=utcnow() - timedelta(days=days))
        )
        await uow.commit()


async def _events(deps: SalesDeps, team: Team) -> list[str]:
    async with deps.uow() as uow:
        rows = await uow.session.scalars(
            sa.select(OutboxMessage.subject).where(OutboxMessage.tenant_id == team.tenant)
        )
        return list(rows)


async def test_list_and_restore_lead(deps: SalesDeps) -> None:
    team = Team()
    manager, rep = team.ctx("manager"), team.ctx("rep")
    lead_id = await _lead(deps, manager, team.ids["rep"])
    await leads.delete_lead(DeleteLead(lead_id), manager, deps)

    page = await recycle_bin.list_bin(manager, deps, "leads", limit=50, cursor=None)
    assert [(e.id, e.module, e.deleted_by) for e in page.items] == [
        (lead_id, "leads", uuid.UUID(team.ids["manager"]))
    ]
    assert page.items[0].name.startswith("Binned")
    # no delete permission -> refused; not the owner's team -> not listed, not found
    with pytest.raises(PermissionDenied):
        await recycle_bin.list_bin(rep, deps, "leads", limit=50, cursor=None)
    peer = team.ctx("peer")
    assert (await recycle_bin.list_bin(peer, deps, "leads", limit=50, cursor=None)).items == []
    with pytest.raises(NotFound):
        await recycle_bin.restore_lead(lead_id, peer, deps)
    with pytest.raises(InvalidArgument):
        await recycle_bin.list_bin(manager, deps, "bogus", limit=50, cursor=None)

    restored = await recycle_bin.restore_lead(lead_id, manager, deps)
    assert restored.row.deleted_at is None
    assert [lead.row.id for lead in (await _list(deps, rep)).items] == [lead_id]
    assert "crm.sales.lead.restored" in await _events(deps, team)
    with pytest.raises(NotFound):  # no longer in the bin
        await recycle_bin.restore_lead(lead_id, manager, deps)


async def _list(deps: SalesDeps, ctx: AccessContext) -> Page[leads.VisibleLead]:
    return await leads.list_leads(ctx, deps, LeadFilters(), limit=50, cursor=None)


async def test_retention_and_purge(deps: SalesDeps) -> None:
    team = Team()
    admin = team.ctx("admin")
    old = await _lead(deps, admin, team.ids["rep"])
    recent = await _lead(deps, admin, team.ids["rep"])
    for lead_id in (old, recent):
        await leads.delete_lead(DeleteLead(lead_id), admin, deps)
    await _age(deps, LeadRow, old, 31)

    listed = await recycle_bin.list_bin(admin, deps, "leads", limit=50, cursor=None)
    assert [e.id for e in listed.items] == [recent]  # past the window: not restorable
    with pytest.raises(FailedPrecondition):
        await recycle_bin.restore_lead(old, admin, deps)

    await recycle_bin.purge_all(deps.uow)
    async with deps.uow() as uow:
        left = set(
            await uow.session.scalars(sa.select(LeadRow.id).where(LeadRow.id.in_([old, recent])))
        )
    assert left == {recent}


async def test_contact_of_deleted_account_and_purge_order(deps: SalesDeps) -> None:
    team = Team()
    admin = team.ctx("admin")
    account = await accounts.create_account(CreateRecord({"name": "Acme"}), admin, deps)
    contact = await accounts.create_contact(
        CreateRecord({"last_name": "C", "account_id": account.row.id}), admin, deps
    )
    await accounts.delete_contact(DeleteRecord(contact.row.id), admin, deps)
    await accounts.delete_account(DeleteRecord(account.row.id), admin, deps)

    with pytest.raises(FailedPrecondition):
        await recycle_bin.restore_contact(contact.row.id, admin, deps)
    await recycle_bin.restore_account(account.row.id, admin, deps)
    restored = await recycle_bin.restore_contact(contact.row.id, admin, deps)
    assert restored.row.deleted_at is None
    assert "crm.sales.contact.restored" in await _events(deps, team)
    assert "crm.sales.account.restored" in await _events(deps, team)

    # both expired: contacts go before their account, so the purge succeeds
    await accounts.delete_contact(DeleteRecord(contact.row.id), admin, deps)
    await accounts.delete_account(DeleteRecord(account.row.id), admin, deps)
    await _age(deps, ContactRow, contact.row.id, 40)
    await _age(deps, AccountRow, account.row.id, 35)
    await recycle_bin.purge_all(deps.uow)
    async with deps.uow() as uow:
        assert await uow.session.get(ContactRow, contact.row.id) is None
        assert await uow.session.get(AccountRow, account.row.id) is None
