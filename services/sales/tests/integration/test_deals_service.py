"""Deals against real PostgreSQL: stage moves close and reopen, history, contact
roles and splits validation, visibility across owners and tenants, the outbox,
and stage_new_deal leaving the commit to its caller."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from crm_common.access import AccessContext
from crm_common.errors import InvalidArgument, NotFound, PermissionDenied, VersionConflict
from crm_common.events.tables import OutboxMessage
from sales.adapters.deal_repository import DealFilters
from sales.adapters.orm_deals import DealRow
from sales.domain.commands import CreateRecord
from sales.domain.deal_commands import CreateDeal, SetContactRoles, SetSplits, UpdateDeal
from sales.domain.deal_parts import ContactRoleSpec, SplitSpec
from sales.service_layer import accounts, deal_parts, deals, pipelines
from sales.service_layer.deps import SalesDeps

WORK = frozenset({"view", "create", "edit", "delete"})


class Team:
    def __init__(self) -> None:
        self.tenant = str(uuid.uuid4())
        self.ids = {who: str(uuid.uuid4()) for who in ("manager", "rep", "peer")}

    def ctx(self, who: str, fields: dict[str, str] | None = None) -> AccessContext:
        own = {"manager": {"manager", "rep", "peer"}}.get(who, {who})
        return AccessContext(
            tenant_id=self.tenant,
            user_id=self.ids[who],
            permissions={m: WORK for m in ("deals", "accounts", "contacts")},
            fields={"deals": fields or {}},
            own_ids=frozenset(self.ids[o] for o in own),
        )


async def _stages(deps: SalesDeps, ctx: AccessContext) -> dict[str, uuid.UUID]:
    default = (await pipelines.list_pipelines(ctx, deps))[0]
    return {s.name: s.id for s in default.stages}


async def _deal(deps: SalesDeps, ctx: AccessContext, **values: object) -> deals.VisibleDeal:
    cmd = CreateDeal({"name": "Big", "amount": Decimal("1000.00"), "currency": "EUR", **values})
    return await deals.create_deal(cmd, ctx, deps)


async def _events(deps: SalesDeps, tenant: str) -> list[str]:
    """Deal events of the tenant, in the order they were written."""
    async with deps.uow() as uow:
        rows = await uow.session.scalars(
            sa.select(OutboxMessage.subject)
            .where(
                OutboxMessage.tenant_id == tenant, OutboxMessage.subject.like("crm.sales.deal.%")
            )
            .order_by(OutboxMessage.seq)
        )
        return list(rows)


async def test_stage_moves_close_and_reopen(deps: SalesDeps) -> None:
    team = Team()
    rep = team.ctx("rep")
    stage = await _stages(deps, rep)
    deal = await _deal(deps, rep)
    assert (deal.row.status, deal.row.probability) == ("open", 10)
    assert deal.row.stage_id == stage["Prospecting"]
    moved = await deals.update_deal(
        UpdateDeal(deal.row.id, {"stage_id": stage["Proposal"]}), rep, deps
    )
    assert (moved.row.probability, moved.row.version) == (60, 2)
    with pytest.raises(InvalidArgument) as caught:
        await deals.update_deal(
            UpdateDeal(deal.row.id, {"stage_id": stage["Closed lost"]}), rep, deps
        )
    assert caught.value.violations[0].field == "lost_reason"
    lost = await deals.update_deal(
        UpdateDeal(deal.row.id, {"stage_id": stage["Closed lost"], "lost_reason": "Price"}),
        rep,
        deps,
    )
    assert (lost.row.status, lost.row.probability, lost.row.lost_reason) == ("lost", 0, "Price")
    assert lost.row.closed_at is not None
    reopened = await deals.update_deal(
        UpdateDeal(deal.row.id, {"stage_id": stage["Negotiation"]}), rep, deps
    )
    assert (reopened.row.status, reopened.row.probability) == ("open", 80)
    assert reopened.row.closed_at is None and reopened.row.lost_reason == ""
    won = await deals.update_deal(
        UpdateDeal(deal.row.id, {"stage_id": stage["Closed won"]}), rep, deps
    )
    assert (won.row.status, won.row.probability) == ("won", 100)
    assert [h.to_stage_id for h in won.details.history] == [
        stage[name]
        for name in ("Prospecting", "Proposal", "Closed lost", "Negotiation", "Closed won")
    ]
    with pytest.raises(InvalidArgument):  # a won deal stays at 100
        await deals.update_deal(UpdateDeal(deal.row.id, {"probability": 50}), rep, deps)
    assert await _events(deps, team.tenant) == [
        "crm.sales.deal.created",
        "crm.sales.deal.stage_changed",
        "crm.sales.deal.stage_changed",
        "crm.sales.deal.lost",
        "crm.sales.deal.stage_changed",
        "crm.sales.deal.stage_changed",
        "crm.sales.deal.won",
    ]


async def test_values_are_validated_and_nothing_changes(deps: SalesDeps) -> None:
    team = Team()
    rep = team.ctx("rep")
    with pytest.raises(InvalidArgument) as caught:
        await _deal(deps, rep, name="", amount=Decimal("1.001"))
    assert {v.field for v in caught.value.violations} == {"name", "amount"}
    with pytest.raises(InvalidArgument) as caught:
        await _deal(deps, rep, currency="XXQ")
    assert caught.value.violations[0].field == "currency"
    deal = await _deal(deps, rep, probability=33, close_date=None)
    assert deal.row.probability == 33
    with pytest.raises(VersionConflict):
        await deals.update_deal(
            UpdateDeal(deal.row.id, {"name": "X"}, expected_version=7), rep, deps
        )
    assert (await deals.get_deal(deal.row.id, rep, deps)).row.name == "Big"
    with pytest.raises(PermissionDenied):
        await _deal(deps, team.ctx("rep", {"amount": "read_only"}))


async def test_visibility_by_owner_and_tenant(deps: SalesDeps) -> None:
    team, other = Team(), Team()
    deal = await _deal(deps, team.ctx("rep"))
    assert (await deals.get_deal(deal.row.id, team.ctx("manager"), deps)).row.id == deal.row.id
    for stranger in (team.ctx("peer"), other.ctx("rep")):
        with pytest.raises(NotFound):
            await deals.get_deal(deal.row.id, stranger, deps)
        with pytest.raises(NotFound):
            await deals.update_deal(UpdateDeal(deal.row.id, {"name": "x"}), stranger, deps)
        page = await deals.list_deals(stranger, deps, DealFilters(), sort="", limit=50, cursor=None)
        assert page.items == []
    account = await accounts.create_account(CreateRecord({"name": "A"}), team.ctx("peer"), deps)
    with pytest.raises(NotFound):  # an account the rep may not see
        await _deal(deps, team.ctx("rep"), account_id=account.row.id)
    with pytest.raises(InvalidArgument):  # another tenant's account does not exist here
        await _deal(deps, other.ctx("rep"), account_id=account.row.id)


async def test_contact_roles(deps: SalesDeps) -> None:
    team = Team()
    rep = team.ctx("rep")
    account = await accounts.create_account(CreateRecord({"name": "A"}), rep, deps)
    contacts = [
        await accounts.create_contact(
            CreateRecord({"last_name": f"C{i}", "account_id": account.row.id}), rep, deps
        )
        for i in range(2)
    ]
    deal = await _deal(deps, rep, account_id=account.row.id)
    one, two = (c.row.id for c in contacts)
    bad = {
        "contact_roles[0].role": [ContactRoleSpec(one, "boss")],
        "contact_roles": [
            ContactRoleSpec(one, "champion", True),
            ContactRoleSpec(two, "other", True),
        ],
        "contact_roles[1].contact_id": [
            ContactRoleSpec(one, "other"),
            ContactRoleSpec(uuid.uuid4(), "other"),
        ],
    }
    for field, roles in bad.items():
        with pytest.raises(InvalidArgument) as caught:
            await deal_parts.set_contact_roles(SetContactRoles(deal.row.id, roles), rep, deps)
        assert caught.value.violations[0].field == field
    roles = [ContactRoleSpec(one, "decision_maker", True), ContactRoleSpec(two, "influencer")]
    done = await deal_parts.set_contact_roles(SetContactRoles(deal.row.id, roles), rep, deps)
    assert [(r.contact_id, r.role, r.is_primary) for r in done.details.contact_roles] == [
        (one, "decision_maker", True), (two, "influencer", False),
    ]  # fmt: skip
    assert done.row.version == 2
    hidden = await accounts.create_contact(
        CreateRecord(
            {
                "last_name": "P",
                "account_id": account.row.id,
                "owner_id": uuid.UUID(team.ids["peer"]),
            }
        ),
        team.ctx("manager"),
        deps,
    )
    with pytest.raises(NotFound):
        await deal_parts.set_contact_roles(
            SetContactRoles(deal.row.id, [ContactRoleSpec(hidden.row.id, "other")]), rep, deps
        )


async def test_splits_sum_to_exactly_100(deps: SalesDeps) -> None:
    team = Team()
    rep = team.ctx("rep")
    deal = await _deal(deps, rep)
    a, b, c = (uuid.uuid4() for _ in range(3))
    for splits in (
        [SplitSpec(a, Decimal("50")), SplitSpec(b, Decimal("49.99"))],
        [SplitSpec(a, Decimal("33.333")), SplitSpec(b, Decimal("66.667"))],
        [SplitSpec(a, Decimal("100")), SplitSpec(a, Decimal("0.00"))],
    ):
        with pytest.raises(InvalidArgument):
            await deal_parts.set_splits(SetSplits(deal.row.id, splits), rep, deps)
    thirds = [
        SplitSpec(a, Decimal("33.33")),
        SplitSpec(b, Decimal("33.33")),
        SplitSpec(c, Decimal("33.34")),
    ]
    done = await deal_parts.set_splits(SetSplits(deal.row.id, thirds), rep, deps)
    assert [s.percent for s in done.details.splits] == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]
    cleared = await deal_parts.set_splits(SetSplits(deal.row.id, []), rep, deps)
    assert cleared.details.splits == []


async def test_stage_new_deal_leaves_the_commit_to_the_caller(deps: SalesDeps) -> None:
    team = Team()
    rep = team.ctx("rep")
    lead_id = uuid.uuid4()
    cmd = CreateDeal({"name": "From lead"}, lead_id=lead_id)
    async with deps.uow() as uow:
        deal = await deals.stage_new_deal(uow, rep, cmd)
        await uow.rollback()
    async with deps.uow() as uow:
        assert await uow.session.scalar(sa.select(DealRow).where(DealRow.id == deal.id)) is None
    async with deps.uow() as uow:
        deal = await deals.stage_new_deal(uow, rep, cmd)
        await uow.commit()
    stored = await deals.get_deal(deal.id, rep, deps)
    assert stored.row.lead_id == lead_id and stored.row.amount is None
    assert len(stored.details.history) == 1
    assert await _events(deps, team.tenant) == ["crm.sales.deal.created"]
