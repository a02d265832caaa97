"""Accounts and contacts handlers against real PostgreSQL: visibility, hierarchy
without cycles, contacts tied to a visible account, delete rules, outbox."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    VersionConflict,
)
from crm_common.events.tables import OutboxMessage
from sales.adapters.account_repository import AccountFilters, ContactFilters
from sales.domain.commands import CreateRecord, DeleteRecord, UpdateRecord
from sales.domain.deal_commands import CreateDeal
from sales.service_layer import accounts, deals
from sales.service_layer.deps import SalesDeps

WORK = frozenset({"view", "create", "edit", "export"})


class Team:
    def __init__(self) -> None:
        self.tenant = str(uuid.uuid4())
        self.ids = {who: str(uuid.uuid4()) for who in ("manager", "rep", "peer", "admin")}

    def ctx(self, who: str, *, fields: dict | None = None) -> AccessContext:
        own = {"manager": {"manager", "rep", "peer"}, "rep": {"rep"}, "peer": {"peer"}}
        actions = WORK | ({"delete"} if who in ("manager", "admin") else set())
        return AccessContext(
            tenant_id=self.tenant,
            user_id=self.ids[who],
            all_records=who == "admin",
            permissions={"accounts": actions, "contacts": actions},
            fields={"accounts": fields or {}, "contacts": fields or {}},
            defaults={"accounts": "private", "contacts": "private"},
            own_ids=frozenset(self.ids[o] for o in own.get(who, {who})),
        )


async def _account(
    deps: SalesDeps, ctx: AccessContext, **values: object
) -> accounts.VisibleAccount:
    return await accounts.create_account(CreateRecord({"name": "Acme", **values}), ctx, deps)


async def _contact(
    deps: SalesDeps, ctx: AccessContext, account_id: uuid.UUID, **values: object
) -> accounts.VisibleContact:
    cmd = CreateRecord({"last_name": "L", "account_id": account_id, **values})
    return await accounts.create_contact(cmd, ctx, deps)


async def test_visibility_and_addresses(deps: SalesDeps) -> None:
    team = Team()
    address = {"street": " Main 1 ", "city": "Amsterdam", "country": "NL", "bogus": "x"}
    account = await _account(deps, team.ctx("rep"), billing_address=address)
    assert account.row.billing_address == {"street": "Main 1", "city": "Amsterdam", "country": "NL"}
    for who in ("rep", "manager", "admin"):
        assert (await accounts.get_account(account.row.id, team.ctx(who), deps)).row.name == "Acme"
    with pytest.raises(NotFound):
        await accounts.get_account(account.row.id, team.ctx("peer"), deps)
    page = await accounts.list_accounts(
        team.ctx("peer"), deps, AccountFilters(), limit=50, cursor=None
    )
    assert page.items == []
    with pytest.raises(InvalidArgument) as caught:
        await accounts.create_account(CreateRecord({"website": "x"}), team.ctx("rep"), deps)
    assert [v.field for v in caught.value.violations] == ["name"]


async def test_hierarchy_refuses_cycles(deps: SalesDeps) -> None:
    team = Team()
    rep = team.ctx("rep")
    top = await _account(deps, rep, name="Top")
    mid = await _account(deps, rep, name="Mid", parent_id=top.row.id)
    leaf = await _account(deps, rep, name="Leaf", parent_id=mid.row.id)
    for parent in (leaf.row.id, mid.row.id, top.row.id):
        with pytest.raises(InvalidArgument) as caught:
            await accounts.update_account(
                UpdateRecord(top.row.id, {"parent_id": parent}), rep, deps
            )
        assert caught.value.violations[0].field == "parent_id"
    with pytest.raises(InvalidArgument):
        await accounts.update_account(
            UpdateRecord(leaf.row.id, {"parent_id": uuid.uuid4()}), rep, deps
        )
    moved = await accounts.update_account(
        UpdateRecord(leaf.row.id, {"parent_id": top.row.id}), rep, deps
    )
    assert moved.row.parent_id == top.row.id and moved.row.version == 2
    page = await accounts.list_accounts(
        rep, deps, AccountFilters(parent_id=top.row.id), limit=50, cursor=None
    )
    assert {a.row.id for a in page.items} == {mid.row.id, leaf.row.id}
    with pytest.raises(VersionConflict):
        await accounts.update_account(UpdateRecord(leaf.row.id, {"name": "x"}, 1), rep, deps)


async def test_contacts_need_a_visible_account(deps: SalesDeps) -> None:
    team = Team()
    account = await _account(deps, team.ctx("rep"))
    contact = await _contact(deps, team.ctx("rep"), account.row.id, email="Ada@Example.COM")
    assert contact.row.email == "ada@example.com"
    with pytest.raises(NotFound):
        await _contact(deps, team.ctx("peer"), account.row.id)
    with pytest.raises(InvalidArgument) as caught:
        await _contact(deps, team.ctx("rep"), uuid.uuid4())
    assert caught.value.violations[0].field == "account_id"
    with pytest.raises(NotFound):
        await accounts.get_contact(contact.row.id, team.ctx("peer"), deps)
    page = await accounts.list_contacts(
        team.ctx("manager"), deps, ContactFilters(account_id=account.row.id, q="ada@"),
        limit=50, cursor=None,
    )  # fmt: skip
    assert [c.row.id for c in page.items] == [contact.row.id]
    hiding = team.ctx("manager", fields={"email": "hidden"})
    assert (await accounts.get_contact(contact.row.id, hiding, deps)).hidden == {"email"}
    with pytest.raises(PermissionDenied):
        await accounts.update_contact(
            UpdateRecord(contact.row.id, {"email": "a@b.c"}), hiding, deps
        )


async def test_delete_rules_and_outbox(deps: SalesDeps) -> None:
    team = Team()
    account = await _account(deps, team.ctx("rep"))
    contact = await _contact(deps, team.ctx("rep"), account.row.id)
    with pytest.raises(PermissionDenied):
        await accounts.delete_account(DeleteRecord(account.row.id), team.ctx("rep"), deps)
    with pytest.raises(FailedPrecondition):
        await accounts.delete_account(DeleteRecord(account.row.id), team.ctx("manager"), deps)
    await accounts.delete_contact(DeleteRecord(contact.row.id), team.ctx("manager"), deps)
    await accounts.delete_account(DeleteRecord(account.row.id), team.ctx("manager"), deps)
    with pytest.raises(NotFound):
        await accounts.get_account(account.row.id, team.ctx("admin"), deps)
    async with deps.uow() as uow:
        subjects = set(
            await uow.session.scalars(
                sa.select(OutboxMessage.subject).where(OutboxMessage.tenant_id == team.tenant)
            )
        )
    assert {
        "crm.sales.account.created",
        "crm.sales.account.deleted",
        "crm.sales.contact.created",
        "crm.sales.contact.deleted",
    } <= subjects


async def test_an_account_with_live_deals_is_not_deleted(deps: SalesDeps) -> None:
    team = Team()
    base = team.ctx("manager")
    ctx = replace(
        base,
        permissions={**base.permissions, "deals": WORK | {"delete"}},
        defaults={**base.defaults, "deals": "private"},
    )
    account = await _account(deps, ctx)
    cmd = CreateDeal({"name": "Renewal", "account_id": account.row.id})
    deal = await deals.create_deal(cmd, ctx, deps)
    with pytest.raises(FailedPrecondition, match="deals"):
        await accounts.delete_account(DeleteRecord(account.row.id), ctx, deps)
    await deals.delete_deal(deal.row.id, 0, ctx, deps)
    await accounts.delete_account(DeleteRecord(account.row.id), ctx, deps)
