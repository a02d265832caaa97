"""Accounts CSV against real PostgreSQL: parents by external id, by name and on
earlier rows; ambiguous or unseen parents; external ids unique; all or nothing;
read-only and hidden columns; the export's relation columns; the tag filter."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import AlreadyExists, InvalidArgument, PermissionDenied
from sales.adapters.account_repository import AccountFilters
from sales.adapters.orm import AccountRow
from sales.domain.commands import CreateRecord, UpdateRecord
from sales.service_layer import account_csv, accounts
from sales.service_layer.deps import SalesDeps

ALL = frozenset({"view", "create", "edit", "delete", "export", "import"})


class Team:
    def __init__(self) -> None:
        self.tenant = str(uuid.uuid4())
        self.ids = {who: str(uuid.uuid4()) for who in ("manager", "rep", "peer")}

    def ctx(self, who: str, *, fields: dict | None = None) -> AccessContext:
        own = {"manager": {"manager", "rep"}, "rep": {"rep"}, "peer": {"peer"}}
        actions = ALL if who == "manager" else ALL - {"import", "delete"}
        return AccessContext(
            tenant_id=self.tenant,
            user_id=self.ids[who],
            permissions={"accounts": actions},
            fields={"accounts": fields or {}},
            defaults={"accounts": "private"},
            own_ids=frozenset(self.ids[o] for o in own[who]),
        )


async def _accounts(deps: SalesDeps, team: Team) -> dict[str, AccountRow]:
    async with deps.uow() as uow:
        stmt = sa.select(AccountRow).where(AccountRow.tenant_id == uuid.UUID(team.tenant))
        return {row.name: row for row in await uow.session.scalars(stmt)}


async def _refused(data: str, ctx: AccessContext, deps: SalesDeps) -> list[str]:
    with pytest.raises(InvalidArgument) as caught:
        await account_csv.import_accounts(data.encode(), ctx, deps)
    return [v.field for v in caught.value.violations]


async def test_parents_by_external_id_by_name_and_earlier_rows(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    cmd = CreateRecord({"name": "Holding", "external_id": "ERP-1"})
    holding = await accounts.create_account(cmd, manager, deps)
    data = (
        "name,external_id,parent_external_id,parent_name,billing_city,tags,owner_id\n"
        f"Europe,ERP-2,ERP-1,,Utrecht,key; eu,{team.ids['rep']}\n"
        "Benelux,,,europe,Amsterdam,,\n"  # a parent on an earlier row, any case
        "Other,ERP-3,,Holding,,,\n"
    )
    ids = await account_csv.import_accounts(data.encode(), manager, deps)
    rows = await _accounts(deps, team)
    assert ids == [rows[n].id for n in ("Europe", "Benelux", "Other")]
    assert rows["Europe"].parent_id == holding.row.id
    assert rows["Benelux"].parent_id == rows["Europe"].id
    assert rows["Other"].parent_id == holding.row.id
    assert rows["Europe"].billing_address == {"city": "Utrecht"}
    assert rows["Europe"].tags == ["key", "eu"]
    assert str(rows["Europe"].owner_id) == team.ids["rep"]
    assert str(rows["Benelux"].owner_id) == team.ids["manager"]
    assert rows["Benelux"].external_id is None


async def test_bad_rows_are_named_and_nothing_is_created(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    for name in ("Twin", "Twin"):
        await accounts.create_account(CreateRecord({"name": name}), manager, deps)
    peer_cmd = CreateRecord({"name": "Peer's", "external_id": "P-1"})
    await accounts.create_account(peer_cmd, team.ctx("peer"), deps)
    data = (
        "name,external_id,parent_name,parent_external_id\n"
        "Fine,X-1,,\n"
        "Child,,Twin,\n"  # two accounts have this name
        "Orphan,,,NOPE\n"  # no such external id
        "Hidden,,,P-1\n"  # the peer's: the manager may not see it
        "Later,,Afterwards,\n"  # defined on a later row
        "Afterwards,X-1,,\n"  # the external id of row 2 again
        "Dup,P-1,,\n"  # another account (one the manager cannot see) has P-1
        ",Z-1,,\n"  # no name
    )
    fields = await _refused(data, manager, deps)
    assert fields == [
        "row 3: parent_name",
        "row 4: parent_external_id",
        "row 5: parent_external_id",
        "row 6: parent_name",
        "row 7: external_id",
        "row 8: external_id",
        "row 9: name",
    ]
    assert set(await _accounts(deps, team)) == {"Twin", "Peer's"}


async def test_columns_the_caller_may_not_write_or_read(deps: SalesDeps) -> None:
    team = Team()
    read_only = team.ctx("manager", fields={"billing_address": "read_only"})
    assert await _refused("name,billing_city\nA,Utrecht\n", read_only, deps) == [
        "row 1: billing_city"
    ]
    hidden = team.ctx("manager", fields={"external_id": "hidden"})
    fields = await _refused("name,parent_external_id\nA,X\n", hidden, deps)
    assert fields[0] == "row 1: parent_external_id"
    with pytest.raises(PermissionDenied):
        await account_csv.import_accounts(b"name\nA\n", team.ctx("rep"), deps)
    assert await _refused("name\n", team.ctx("manager"), deps) == ["file"]
    assert await _accounts(deps, team) == {}


async def test_external_ids_are_unique_among_live_accounts(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    first = await accounts.create_account(
        CreateRecord({"name": "A", "external_id": " E-1 "}), manager, deps
    )
    assert first.row.external_id == "E-1"
    with pytest.raises(AlreadyExists) as caught:
        await accounts.create_account(
            CreateRecord({"name": "B", "external_id": "E-1"}), manager, deps
        )
    assert caught.value.field == "external_id"
    second = await accounts.create_account(CreateRecord({"name": "B"}), manager, deps)
    with pytest.raises(AlreadyExists):
        await accounts.update_account(
            UpdateRecord(second.row.id, {"external_id": "E-1"}), manager, deps
        )
    cleared = await accounts.update_account(
        UpdateRecord(first.row.id, {"external_id": ""}), manager, deps
    )
    assert cleared.row.external_id is None
    moved = await accounts.update_account(
        UpdateRecord(second.row.id, {"external_id": "E-1"}), manager, deps
    )
    assert moved.row.external_id == "E-1"
    with pytest.raises(InvalidArgument):
        await accounts.create_account(
            CreateRecord({"name": "C", "external_id": "x" * 101}), manager, deps
        )


async def test_export_names_parents_the_caller_may_see(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    peer_parent = await accounts.create_account(
        CreateRecord({"name": "Peer parent", "external_id": "PP"}), team.ctx("peer"), deps
    )
    data = (
        "name,external_id,parent_external_id,billing_city,tags\nTop,T-1,,Utrecht,x\nSub,,T-1,,x\n"
    )
    await account_csv.import_accounts(data.encode(), manager, deps)
    # the manager may not see the peer's account: exported without its name
    cmd = CreateRecord({"name": "Under peer", "parent_id": peer_parent.row.id})
    await accounts.create_account(cmd, team.ctx("peer"), deps)

    exported = [r async for r in account_csv.export_accounts(manager, deps, AccountFilters())]
    by_name = {r.account.row.name: r for r in exported}
    assert set(by_name) == {"Top", "Sub"}
    assert by_name["Sub"].parent is not None
    assert (by_name["Sub"].parent.name, by_name["Sub"].parent.external_id) == ("Top", "T-1")
    assert by_name["Top"].parent is None and by_name["Top"].hidden_columns == []
    peer_rows = [
        r async for r in account_csv.export_accounts(team.ctx("peer"), deps, AccountFilters())
    ]
    assert {r.account.row.name for r in peer_rows} == {"Peer parent", "Under peer"}

    hiding = team.ctx("manager", fields={"billing_address": "hidden", "name": "hidden"})
    rows = [r async for r in account_csv.export_accounts(hiding, deps, AccountFilters(tag="x"))]
    assert len(rows) == 2
    assert {"billing_city", "billing_street", "parent_name", "name"} <= set(rows[0].hidden_columns)
    assert "parent_external_id" not in rows[0].hidden_columns
    sub = next(r for r in rows if r.parent is not None)
    assert sub.parent is not None and sub.parent.name == ""  # hidden, never sent
    with pytest.raises(PermissionDenied):
        no_export = AccessContext(tenant_id=team.tenant, user_id=team.ids["rep"])
        [r async for r in account_csv.export_accounts(no_export, deps, AccountFilters())]


async def test_account_list_filters_by_tag(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    await account_csv.import_accounts(b"name,tags\nTagged,vip; eu\nPlain,\n", manager, deps)
    page = await accounts.list_accounts(
        manager, deps, AccountFilters(tag="vip"), limit=50, cursor=None
    )
    assert [a.row.name for a in page.items] == ["Tagged"]
