"""Leads CSV against real PostgreSQL: import is all or nothing, export streams what
the caller may see with the list's filters."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import InvalidArgument, PermissionDenied
from sales.adapters.orm import LeadRow, LeadStatusHistoryRow
from sales.adapters.repository import LeadFilters
from sales.service_layer import lead_csv
from sales.service_layer.deps import SalesDeps


class Team:
    def __init__(self) -> None:
        self.tenant = str(uuid.uuid4())
        self.ids = {who: str(uuid.uuid4()) for who in ("manager", "rep", "peer")}

    def ctx(self, who: str, *, fields: dict | None = None) -> AccessContext:
        own = {"manager": {"manager", "rep"}, "rep": {"rep"}, "peer": {"peer"}}
        actions = {"view", "create", "edit", "export"} | ({"import"} if who == "manager" else set())
        return AccessContext(
            tenant_id=self.tenant,
            user_id=self.ids[who],
            permissions={"leads": frozenset(actions)},
            fields={"leads": fields or {}},
            defaults={"leads": "private"},
            own_ids=frozenset(self.ids[o] for o in own[who]),
        )


async def _tenant_leads(deps: SalesDeps, team: Team) -> list[LeadRow]:
    async with deps.uow() as uow:
        stmt = sa.select(LeadRow).where(LeadRow.tenant_id == uuid.UUID(team.tenant))
        return list(await uow.session.scalars(stmt.order_by(LeadRow.last_name)))


async def test_import_is_all_or_nothing(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    bad = (
        "last_name,email,score,owner_id\n"
        f"Ada,ada@x.example,10,{team.ids['rep']}\n"
        "Bob,not-an-email,5,\n"
        "Cy,cy@x.example,500,\n"
        f"Dee,dee@x.example,1,{team.ids['peer']}\n"  # not the manager's to assign to
    ).encode()
    with pytest.raises(InvalidArgument) as caught:
        await lead_csv.import_leads(bad, manager, deps)
    fields = [v.field for v in caught.value.violations]
    assert fields == ["row 3: email", "row 4: score", "row 5: owner_id"]
    assert await _tenant_leads(deps, team) == []

    good = (
        "\ufefflast_name\temail\ttags\towner_id\tstatus\n"
        f"Ada\tada@x.example\tvip; hot\t{team.ids['rep']}\t\n"
        "Bob\tbob@x.example\t\t\tcontacted\n"
    ).encode()
    ids = await lead_csv.import_leads(good, manager, deps)
    rows = await _tenant_leads(deps, team)
    assert [r.id for r in rows] == ids
    assert [(r.last_name, str(r.owner_id), r.status) for r in rows] == [
        ("Ada", team.ids["rep"], "new"),
        ("Bob", team.ids["manager"], "contacted"),
    ]
    assert rows[0].tags == ["vip", "hot"]
    async with deps.uow() as uow:
        history = await uow.session.scalars(
            sa.select(LeadStatusHistoryRow.lead_id).where(LeadStatusHistoryRow.lead_id.in_(ids))
        )
        assert set(history) == set(ids)


async def test_import_refusals(deps: SalesDeps) -> None:
    team = Team()
    with pytest.raises(PermissionDenied):
        await lead_csv.import_leads(b"last_name\nA\n", team.ctx("rep"), deps)
    manager = team.ctx("manager", fields={"phone": "read_only"})
    with pytest.raises(InvalidArgument) as caught:
        await lead_csv.import_leads(b"last_name,phone\nA,123\n", manager, deps)
    assert [v.field for v in caught.value.violations] == ["row 1: phone"]
    with pytest.raises(InvalidArgument) as caught:
        await lead_csv.import_leads(b"last_name\n", team.ctx("manager"), deps)
    assert [v.field for v in caught.value.violations] == ["file"]
    too_many = ("last_name\n" + "x\n" * (lead_csv.MAX_IMPORT_ROWS + 1)).encode()
    with pytest.raises(InvalidArgument):
        await lead_csv.import_leads(too_many, team.ctx("manager"), deps)
    assert await _tenant_leads(deps, team) == []


async def test_export_streams_visible_filtered_leads(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    rows = "".join(f"L{i:03},{team.ids['rep']},{'vip' if i % 2 else ''}\n" for i in range(250))
    await lead_csv.import_leads(f"last_name,owner_id,tags\n{rows}".encode(), manager, deps)

    exported = [v async for v in lead_csv.export_leads(manager, deps, LeadFilters())]
    assert len(exported) == 250  # more than one page
    vip = [v async for v in lead_csv.export_leads(manager, deps, LeadFilters(tag="vip"))]
    assert len(vip) == 125
    peer = [v async for v in lead_csv.export_leads(team.ctx("peer"), deps, LeadFilters())]
    assert peer == []
    hidden = team.ctx("rep", fields={"phone": "hidden"})
    assert next(
        iter([v async for v in lead_csv.export_leads(hidden, deps, LeadFilters())])
    ).hidden == {"phone"}
    no_export = AccessContext(tenant_id=team.tenant, user_id=team.ids["rep"])
    with pytest.raises(PermissionDenied):
        [v async for v in lead_csv.export_leads(no_export, deps, LeadFilters())]
