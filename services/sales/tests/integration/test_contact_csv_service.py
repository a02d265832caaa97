"""Contacts CSV against real PostgreSQL: the account by external id or by name
(visible to the caller, unambiguous), all or nothing, external ids, hidden
relation columns in the export, the tag filter."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import InvalidArgument
from sales.adapters.account_repository import ContactFilters
from sales.adapters.orm import ContactRow
from sales.domain.commands import CreateRecord
from sales.service_layer import accounts, contact_csv
from sales.service_layer.deps import SalesDeps

MODULES = ("accounts", "contacts")
ALL = frozenset({"view", "create", "edit", "delete", "export", "import"})


class Team:
    def __init__(self) -> None:
        self.tenant = str(uuid.uuid4())
        self.ids = {who: str(uuid.uuid4()) for who in ("manager", "peer")}

    def ctx(self, who: str, *, fields: dict | None = None) -> AccessContext:
        return AccessContext(
            tenant_id=self.tenant,
            user_id=self.ids[who],
            permissions={m: ALL for m in MODULES},
            fields={m: (fields or {}).get(m, {}) for m in MODULES},
            defaults={m: "private" for m in MODULES},
            own_ids=frozenset({self.ids[who]}),
        )


async def _account(
    deps: SalesDeps, ctx: AccessContext, name: str, external_id: str = ""
) -> uuid.UUID:
    values = {"name": name, **({"external_id": external_id} if external_id else {})}
    return (await accounts.create_account(CreateRecord(values), ctx, deps)).row.id


async def _contacts(deps: SalesDeps, team: Team) -> dict[str, ContactRow]:
    async with deps.uow() as uow:
        stmt = sa.select(ContactRow).where(ContactRow.tenant_id == uuid.UUID(team.tenant))
        return {row.last_name: row for row in await uow.session.scalars(stmt)}


async def test_contacts_link_to_accounts_by_external_id_or_name(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    acme = await _account(deps, manager, "Acme", "ERP-7")
    globex = await _account(deps, manager, "Globex")
    data = (
        "first_name,last_name,email,external_id,account_external_id,account_name,tags\n"
        "Ann,Archer,ANN@x.example,C-1,ERP-7,,vip\n"
        "Bob,Baker,,,,  globex ,\n"
        "Cy,Cole,,,ERP-7,Globex,\n"  # the external id wins over the name
    )
    ids = await contact_csv.import_contacts(data.encode(), manager, deps)
    rows = await _contacts(deps, team)
    assert ids == [rows[n].id for n in ("Archer", "Baker", "Cole")]
    assert [rows[n].account_id for n in ("Archer", "Baker", "Cole")] == [acme, globex, acme]
    assert rows["Archer"].email == "ann@x.example" and rows["Archer"].external_id == "C-1"
    assert rows["Archer"].tags == ["vip"]

    page = await accounts.list_contacts(
        manager, deps, ContactFilters(tag="vip"), limit=50, cursor=None
    )
    assert [c.row.last_name for c in page.items] == ["Archer"]


async def test_unknown_ambiguous_or_unseen_accounts_refuse_the_file(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    await _account(deps, manager, "Acme", "ERP-1")
    for _ in range(2):
        await _account(deps, manager, "Twin")
    await _account(deps, team.ctx("peer"), "Peer's", "PEER-1")
    await contact_csv.import_contacts(
        b"last_name,account_name,external_id\nFirst,Acme,C-1\n", manager, deps
    )
    data = (
        "last_name,account_external_id,account_name,external_id\n"
        "Good,ERP-1,,\n"
        "Amb,,twin,\n"
        "Gone,NOPE,,\n"
        "Unseen,PEER-1,,\n"
        "NoAccount,,,\n"
        "Taken,ERP-1,,C-1\n"
    )
    with pytest.raises(InvalidArgument) as caught:
        await contact_csv.import_contacts(data.encode(), manager, deps)
    assert [v.field for v in caught.value.violations] == [
        "row 3: account_name",
        "row 4: account_external_id",
        "row 5: account_external_id",
        "row 6: account_name",
        "row 7: external_id",
    ]
    assert "account_external_id" in caught.value.violations[0].message
    assert set(await _contacts(deps, team)) == {"First"}


async def test_export_leaves_out_what_the_caller_may_not_see(deps: SalesDeps) -> None:
    team = Team()
    manager = team.ctx("manager")
    acme = await _account(deps, manager, "Acme", "ERP-1")
    await accounts.create_contact(
        CreateRecord({"last_name": "Mine", "account_id": acme}), manager, deps
    )
    peer_account = await _account(deps, team.ctx("peer"), "Peer's", "P-1")
    # a contact of the manager's at an account only the peer may see
    async with deps.uow() as uow:
        row = ContactRow(
            id=uuid.uuid4(),
            tenant_id=uuid.UUID(team.tenant),
            account_id=peer_account,
            last_name="Elsewhere",
            owner_id=uuid.UUID(team.ids["manager"]),
        )
        uow.session.add(row)
        await uow.commit()

    rows = {
        r.contact.row.last_name: r
        async for r in contact_csv.export_contacts(manager, deps, ContactFilters())
    }
    assert set(rows) == {"Mine", "Elsewhere"}
    assert rows["Mine"].account is not None
    assert (rows["Mine"].account.name, rows["Mine"].account.external_id) == ("Acme", "ERP-1")
    assert rows["Elsewhere"].account is None
    assert rows["Mine"].hidden_columns == []

    hiding = team.ctx(
        "manager", fields={"accounts": {"external_id": "hidden"}, "contacts": {"phone": "hidden"}}
    )
    exported = [
        r async for r in contact_csv.export_contacts(hiding, deps, ContactFilters(account_id=acme))
    ]
    assert [r.contact.row.last_name for r in exported] == ["Mine"]
    assert exported[0].hidden_columns == ["account_external_id", "phone"]
    assert exported[0].account is not None and exported[0].account.external_id is None
    with pytest.raises(InvalidArgument) as caught:
        await contact_csv.import_contacts(b"last_name,account_external_id\nX,ERP-1\n", hiding, deps)
    assert [v.field for v in caught.value.violations] == ["row 1: account_external_id"]
