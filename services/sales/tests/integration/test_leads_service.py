"""Leads handlers against real PostgreSQL: visibility, history, duplicates
(including concurrent creates), optimistic concurrency, recycle bin, outbox."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    VersionConflict,
)
from crm_common.events.tables import OutboxMessage
from sales.adapters.repository import LeadFilters
from sales.domain.commands import ChangeLeadStatus, CreateLead, DeleteLead, UpdateLead
from sales.service_layer import leads
from sales.service_layer.deps import SalesDeps

WORK = frozenset({"view", "create", "edit", "export"})


class Team:
    """A manager above two peer reps, an admin, in one tenant."""

    def __init__(self) -> None:
        self.tenant = str(uuid.uuid4())
        self.ids = {who: str(uuid.uuid4()) for who in ("manager", "rep", "peer", "admin")}

    def ctx(
        self, who: str, *, default: str = "private", fields: dict | None = None
    ) -> AccessContext:
        own = {"manager": {"manager", "rep", "peer"}, "rep": {"rep"}, "peer": {"peer"}}
        return AccessContext(
            tenant_id=self.tenant,
            user_id=self.ids[who],
            all_records=who == "admin",
            permissions={"leads": WORK | ({"delete"} if who in ("manager", "admin") else set())},
            fields={"leads": fields or {}},
            defaults={"leads": default},
            own_ids=frozenset(self.ids[o] for o in own.get(who, {who})),
        )


async def _create(deps: SalesDeps, ctx: AccessContext, **values: object) -> leads.VisibleLead:
    lead, _ = await leads.create_lead(CreateLead({"last_name": "L", **values}), ctx, deps)
    return lead


async def test_visibility_follows_own_ids_and_defaults(deps: SalesDeps) -> None:
    team = Team()
    lead = await _create(deps, team.ctx("rep"))
    assert str(lead.row.owner_id) == team.ids["rep"]
    for who in ("rep", "manager", "admin"):
        assert (await leads.get_lead(lead.row.id, team.ctx(who), deps)).row.id == lead.row.id
    with pytest.raises(NotFound):
        await leads.get_lead(lead.row.id, team.ctx("peer"), deps)
    other = AccessContext(tenant_id=str(uuid.uuid4()), all_records=True, permissions={"*": {"*"}})
    with pytest.raises(NotFound):
        await leads.get_lead(lead.row.id, other, deps)
    peer_read = team.ctx("peer", default="public_read")
    assert (await leads.get_lead(lead.row.id, peer_read, deps)).row.id == lead.row.id
    with pytest.raises(PermissionDenied):
        await leads.update_lead(UpdateLead(lead.row.id, {"title": "x"}), peer_read, deps)


async def test_status_history_and_version(deps: SalesDeps) -> None:
    team = Team()
    rep = team.ctx("rep")
    lead = await _create(deps, rep)
    moved = await leads.change_status(
        ChangeLeadStatus(lead.row.id, "contacted", "called"), rep, deps
    )
    assert [(h.from_status, h.to_status) for h in moved.history] == [
        ("", "new"),
        ("new", "contacted"),
    ]
    assert moved.row.version == 2
    with pytest.raises(VersionConflict):
        await leads.change_status(ChangeLeadStatus(lead.row.id, "mql", "", 1), rep, deps)
    with pytest.raises(FailedPrecondition):
        await leads.change_status(ChangeLeadStatus(lead.row.id, "converted"), rep, deps)


async def test_duplicates_warn_or_reject(deps: SalesDeps) -> None:
    team = Team()
    first = await _create(deps, team.ctx("rep"), email="Ada@Example.com", company="Acme  Corp")
    _, warned = await leads.create_lead(CreateLead({"company": "acme corp"}), team.ctx("rep"), deps)
    assert warned == [str(first.row.id)]
    _, unseen = await leads.create_lead(
        CreateLead({"company": "ACME corp"}), team.ctx("peer"), deps
    )
    assert unseen == []  # the peer may not see the rep's leads, so they are not listed
    with pytest.raises(AlreadyExists) as caught:
        await leads.create_lead(
            CreateLead({"last_name": "X", "email": "ada@example.COM"}, reject_duplicates=True),
            team.ctx("peer"),
            deps,
        )
    assert caught.value.field == "email"


async def test_concurrent_creates_with_reject_make_one_lead(deps: SalesDeps) -> None:
    team = Team()
    email = f"{uuid.uuid4().hex[:8]}@race.example"
    cmd = CreateLead({"last_name": "R", "email": email}, reject_duplicates=True)
    results = await asyncio.gather(
        *(leads.create_lead(cmd, team.ctx("rep"), deps) for _ in range(8)), return_exceptions=True
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, AlreadyExists) for r in results if isinstance(r, BaseException))


async def test_hidden_and_read_only_fields(deps: SalesDeps) -> None:
    team = Team()
    lead = await _create(deps, team.ctx("rep"), phone="+31 20 555")
    hiding = team.ctx("manager", fields={"phone": "hidden"})
    assert (await leads.get_lead(lead.row.id, hiding, deps)).hidden == {"phone"}
    with pytest.raises(PermissionDenied) as caught:
        await leads.update_lead(UpdateLead(lead.row.id, {"phone": "1"}), hiding, deps)
    assert caught.value.field == "phone"


async def test_list_filters_and_escaped_search(deps: SalesDeps) -> None:
    team = Team()
    rep = team.ctx("rep")
    hit = await _create(deps, rep, company="100%_real", tags=["vip"])
    await _create(deps, rep, company="100 real")
    page = await leads.list_leads(rep, deps, LeadFilters(q="0%_r"), limit=10, cursor=None)
    assert [v.row.id for v in page.items] == [hit.row.id]
    page = await leads.list_leads(rep, deps, LeadFilters(tag="vip"), limit=10, cursor=None)
    assert [v.row.id for v in page.items] == [hit.row.id]
    with pytest.raises(InvalidArgument):
        await leads.list_leads(rep, deps, LeadFilters(status="won"), limit=10, cursor=None)


async def test_delete_goes_to_the_bin_and_events_to_the_outbox(deps: SalesDeps) -> None:
    team = Team()
    lead = await _create(deps, team.ctx("rep"))
    with pytest.raises(PermissionDenied):
        await leads.delete_lead(DeleteLead(lead.row.id), team.ctx("rep"), deps)
    await leads.delete_lead(DeleteLead(lead.row.id), team.ctx("manager"), deps)
    with pytest.raises(NotFound):
        await leads.get_lead(lead.row.id, team.ctx("admin"), deps)
    async with deps.uow() as uow:
        subjects = set(
            await uow.session.scalars(
                sa.select(OutboxMessage.subject).where(OutboxMessage.tenant_id == team.tenant)
            )
        )
    assert {"crm.sales.lead.created", "crm.sales.lead.deleted"} <= subjects


async def test_an_api_key_must_name_the_owner(deps: SalesDeps) -> None:
    key = AccessContext(
        tenant_id=str(uuid.uuid4()), api_key_id="k", all_records=True,
        permissions={"leads": frozenset({"create", "view"})},
    )  # fmt: skip
    with pytest.raises(InvalidArgument):
        await leads.create_lead(CreateLead({"last_name": "K"}), key, deps)
    owner = uuid.uuid4()
    lead, _ = await leads.create_lead(CreateLead({"last_name": "K", "owner_id": owner}), key, deps)
    assert lead.row.owner_id == owner
